"""Up to 18.0.1.5.0 what needed a person was a set of flags on the order, one list
of notes for all of them, and activities that nothing closed. From 18.0.1.6.0
each is a matter (omnitron.matter) whose closing takes its flag, sentence and
activity with it.

The upgrade keeps what is open: one matter per flag still set on an order (the
request and the hold keep their cancel or refund), the order's notes on its
first matter, and each open warning activity the flows had scheduled linked to
its matter by its summary, so closing the matter marks it done. A pending
return receipt of Omnitron's refund gets the warehouse's matter, with its
activity; an order with a failed job gets the administrator's sync matter.
Running it twice opens nothing twice.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.addons.omnitron_order_webhook.core import matters
from odoo.addons.omnitron_order_webhook.models.omnitron_phrases import say
from odoo.tools.translate import LazyGettext

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'sale_order' AND column_name = %s",
        ["omnitron_action_facts"],
    )
    facts_column = "omnitron_action_facts" if cr.rowcount else "NULL::jsonb"
    flags = list(matters.FLAG_KINDS)
    set_somewhere = " OR ".join(f"COALESCE({flag}::text, 'false') NOT IN ('false', '')" for flag in flags)
    cr.execute(f"SELECT id, {', '.join(flags)}, {facts_column} FROM sale_order WHERE {set_somewhere} ORDER BY id")  # noqa: S608
    rows = cr.fetchall()
    matter_model = env["omnitron.matter"]
    opened = 0
    for row in rows:
        sale_order = env["sale.order"].browse(row[0])
        values = dict(zip(flags, row[1:-1], strict=True))
        facts = list(row[-1] or [])
        if matter_model.search_count([("sale_order_id", "=", sale_order.id), ("state", "=", "open")]):
            continue  # migrated already
        for flag, value in values.items():
            if value in (None, False, ""):
                continue
            kind = matters.FLAG_KINDS[flag]
            if kind == "held":
                own_facts = [env["omnitron.phrases"]._store(_hold_note(value))]
            else:
                own_facts, facts = facts, []
            matter = matter_model.create(
                {
                    "kind": kind,
                    "sale_order_id": sale_order.id,
                    "value": value if isinstance(value, str) else False,
                    "facts": own_facts or False,
                }
            )
            matter.user_id = matter._assignee()
            matter.activity_id = _open_activity(env, matter, _summaries(env, matter, flag))
            opened += 1
    receipts = env["stock.picking"].search(
        [("omnitron_return_source", "!=", False), ("state", "not in", ("done", "cancel"))]
    )
    for receipt in receipts:
        if matter_model.search_count([("picking_ids", "in", receipt.ids), ("kind", "=", "return_to_receive")]):
            continue
        activity = receipt.activity_ids.filtered(
            lambda activity: activity.activity_type_id == env.ref("mail.mail_activity_data_warning")
        )[:1]
        matter = matter_model.create(
            {
                "kind": "return_to_receive",
                "sale_order_id": receipt.sale_id.id,
                "picking_ids": [(6, 0, receipt.ids)],
                "facts": [
                    env["omnitron.phrases"]._store(
                        say(
                            LazyGettext(
                                "Omnitron refunded these items of %(order)s (Omnitron %(number)s): receive what "
                                "comes back.",
                                _module="omnitron_order_webhook",
                            ),
                            order=receipt.sale_id.name,
                            number=receipt.sale_id.omnitron_number,
                        )
                    )
                ],
            }
        )
        matter.user_id = activity.user_id or matter._assignee()
        matter.activity_id = activity
        opened += 1
    failed = env["queue.job"].search([("state", "=", "failed"), ("omnitron_order_id", "!=", False)], order="id")
    for sale_order in failed.omnitron_order_id:
        if matter_model.search_count([("sale_order_id", "=", sale_order.id), ("kind", "=", "sync_failed")]):
            continue
        job = failed.filtered(lambda job, order=sale_order: job.omnitron_order_id == order)[-1]
        matter_model._open(
            sale_order,
            "sync_failed",
            say(
                LazyGettext(
                    "Omnitron did not take %(job)s: %(error)s Fix the cause and press Retry Omnitron Sync; this "
                    "closes when the job is done.",
                    _module="omnitron_order_webhook",
                ),
                job=job.name,
                error=job._omnitron_failure_said(),
            ),
        )
        opened += 1
    _logger.info("Omnitron: %s open matters kept from the flags of %s orders", opened, len(rows))


def _hold_note(plan_type):
    from odoo.addons.omnitron_order_webhook.models.omnitron_order_cancellation import request_note

    return request_note(plan_type)


def _translations(env, source):
    term = LazyGettext(source, _module="omnitron_order_webhook")
    return {term._translate(lang) for lang, _name in env["res.lang"].get_installed()} | {source}


def _summaries(env, matter, flag):
    """Every summary the flows gave this matter's activities, in every installed language."""
    if matter.kind == "plan_request":
        return _translations(env, "Request from Omnitron")
    if matter.kind == "held":
        return _translations(env, "Do not ship: cancellation requested in Omnitron") | _translations(
            env, "Do not ship: refund requested in Omnitron"
        )
    field = env["sale.order"]._fields[flag]
    return {
        field.get_description(env(context={"lang": lang}))["string"] for lang, _name in env["res.lang"].get_installed()
    }


def _open_activity(env, matter, summaries):
    """The open warning activity the flows scheduled for this matter: on its held delivery, else its order."""
    warning = env.ref("mail.mail_activity_data_warning")
    records = list(matter.sale_order_id.picking_ids) if matter.kind == "held" else [matter.sale_order_id]
    for record in records:
        found = record.activity_ids.filtered(
            lambda activity: activity.activity_type_id == warning and activity.summary in summaries
        )
        if found:
            return found[:1]
    return env["mail.activity"]
