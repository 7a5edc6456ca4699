from markupsafe import Markup

from odoo import api, models
from odoo.tools.translate import LazyGettext, LazyTranslate

from ..core import const
from ..core.said import Said, Sentences, Status

_lt = LazyTranslate(__name__)

# What core/lifecycle.py says, by its Said's key, as people read it.
CORE_PHRASES = {
    "status": _lt("status %(old)s → %(new)s"),
    "omnitron_tracking_number": _lt("tracking number %(value)s"),
    "omnitron_tracking_url": _lt("tracking URL %(value)s"),
    "omnitron_invoice_number": _lt("invoice number %(value)s"),
    "omnitron_invoice_date": _lt("invoice date %(value)s"),
    "omnitron_e_archive_url": _lt("e-archive URL %(value)s"),
    "omnitron_gift_box_note": _lt("gift note %(value)s"),
    "refund_amount": _lt("refund amount %(old)s → %(new)s"),
    "refund_answered": _lt("Omnitron answered Odoo's refund request for items %(items)s"),
    "cargo_company": _lt("cargo company %(code)s"),
    "item": _lt("item %(pk)s: %(parts)s"),
    "amount": _lt("amount %(old)s → %(new)s"),
    "customer": _lt("customer %(old)s → %(new)s"),
    "billing_address": _lt("billing address now %(where)s"),
    "billing_address_changed": _lt("billing address changed"),
    "shipping_address": _lt("shipping address now %(where)s"),
    "shipping_address_changed": _lt("shipping address changed"),
    "items_added": _lt("items added: %(items)s"),
    "items_removed": _lt("items removed: %(items)s"),
    "item_price": _lt("item %(pk)s price %(old)s → %(new)s"),
    "item_units": _lt("item %(pk)s units %(old)s → %(new)s"),
    "shipping": _lt("shipping %(old)s → %(new)s"),
    "currency": _lt("currency %(old)s → %(new)s"),
    "customer_name": _lt("customer name %(old)s → %(new)s"),
    "customer_email": _lt("customer e-mail %(old)s → %(new)s"),
    "item_sku": _lt("item %(pk)s sku %(old)s → %(new)s"),
    "item_tax_rate": _lt("item %(pk)s tax rate %(old)s → %(new)s"),
}


def say(template, **params):
    """A sentence of the flows: English now (the API's answer), ``template`` kept for people.

    ``template`` is an ``_lt()`` of the module (so it is exported for
    translation); parameters may be a ``Said``, a ``Status`` or a list of them.
    """
    return Said(template, template._translate("en_US") % _english(params), **params)


def _english(params):
    return {name: _english_value(value) for name, value in params.items()}


def _english_value(value):
    if isinstance(value, Status):
        return value.english()
    if isinstance(value, Sentences):
        return "; ".join(_english_value(part) for part in value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_english_value(part) for part in value)
    return value


class OmnitronPhrases(models.AbstractModel):
    """Renders what the flows said in a reader's language, and keeps it so it can be rendered later.

    The chatter is written in the company's language (its partner's), a
    banner is rendered when read, in the reader's, an activity in its
    assignee's; the API's answer keeps the English (core/said.py).
    """

    _name = "omnitron.phrases"
    _description = "Omnitron Sentences in the Reader's Language"

    @api.model
    def _render(self, said, lang):
        """``said`` (a Said, or any text) in language ``lang``."""
        if isinstance(said, (list, tuple)):
            return "; ".join(self._render(part, lang) for part in said)
        if not isinstance(said, Said):
            return str(said)
        template = said.key if isinstance(said.key, LazyGettext) else CORE_PHRASES.get(said.key)
        if template is None:
            return str(said)
        values = {name: self._render_value(value, lang) for name, value in said.params.items()}
        return template._translate(lang) % values

    @api.model
    def _setting_label(self, setting):
        """A setting's label (core/settings.py) as the settings form shows it, in the reader's language.

        The label is the form field's string, so its translation is the
        field's (a model term, not a code term: ``env._`` would not find it).
        """
        field = self.env["res.config.settings"]._fields.get(setting.field_name)
        return field._description_string(self.env) if field else setting.label

    def _render_value(self, value, lang):
        if isinstance(value, Status):
            return self._status_name(value, lang)
        if isinstance(value, Said):
            return self._render(value, lang)
        if isinstance(value, Sentences):
            return "; ".join(self._render_value(part, lang) for part in value)
        if isinstance(value, (list, tuple)):
            return ", ".join(self._render_value(part, lang) for part in value)
        return value

    def _status_name(self, status, lang):
        """A status as people read it: its name in ``lang``, never its code (unless it has no name)."""
        labels = dict(
            self.env["sale.order"]
            .with_context(lang=lang)
            ._fields["omnitron_status_label"]
            ._description_selection(self.env(context={**self.env.context, "lang": lang}))
        )
        if status in labels:
            return labels[status]
        return const.ORDER_STATUSES[status][0] if status in const.ORDER_STATUSES else (status or "—")

    @api.model
    def _tell(self, record, user, summary, note):
        """One open warning activity per ``summary`` on ``record`` for ``user``; a later one updates its note.

        Omnitron repeats itself (plans, retries): a person gets one thing to do,
        with the latest word, not a stack of them.
        """
        warning = self.env.ref("mail.mail_activity_data_warning")
        open_one = record.activity_ids.filtered(
            lambda activity: activity.activity_type_id == warning and activity.summary == summary
        )[:1]
        if open_one:
            open_one.note = Markup("<p>%s</p>") % note
        else:
            record.activity_schedule("mail.mail_activity_data_warning", summary=summary, note=note, user_id=user.id)

    # --- Kept to be rendered later (a banner's notes) ---

    @api.model
    def _store(self, said):
        """A JSON-able form of ``said`` that ``_load`` turns back into a Said."""
        if isinstance(said, Status):
            return {"status": str(said)}
        if isinstance(said, Said):
            key = said.key._source if isinstance(said.key, LazyGettext) else said.key
            return {
                "key": key,
                "lazy": isinstance(said.key, LazyGettext),
                "english": str(said),
                "params": {name: self._store(value) for name, value in said.params.items()},
            }
        if isinstance(said, Sentences):
            return {"sentences": [self._store(part) for part in said]}
        if isinstance(said, (list, tuple)):
            return [self._store(part) for part in said]
        return said

    @api.model
    def _load(self, stored):
        if isinstance(stored, list):
            return tuple(self._load(part) for part in stored)
        if not isinstance(stored, dict):
            return stored
        if "status" in stored:
            return Status(stored["status"])
        if "sentences" in stored:
            return Sentences(self._load(part) for part in stored["sentences"])
        if "text" in stored:  # a note written before notes were kept as sentences
            return stored["text"]
        key = LazyGettext(stored["key"], _module="omnitron_order_webhook") if stored["lazy"] else stored["key"]
        params = {name: self._load(value) for name, value in stored["params"].items()}
        return Said(key, stored["english"], **params)


def said_of_order(sale_order, sentences):
    """ "S00042: what was done; and what else": the answer's detail, kept to be read in any language."""
    return say(_lt("%(order)s: %(changes)s"), order=sale_order.name, changes=Sentences(sentences))
