"""The webhook route: parse, authenticate, hand over, answer.

No business logic lives here. The pure core (``core/``) validates the body
and names the answers; ``omnitron.order.import._receive`` does the database
work; this module only moves bytes and maps outcomes to HTTP.
"""

import json
import logging
import time

from odoo import fields, http
from odoo.http import request

from ..core import const, responses
from ..core.validation import InvalidJson, InvalidPayload, decode_json, parse_delivery, scrub_payload

_logger = logging.getLogger(__name__)

_FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class OmnitronWebhookController(http.Controller):
    _webhook_url = "/api/v1/oms/orders_omnitron/"

    @http.route(
        [_webhook_url, _webhook_url.rstrip("/")],
        type="http",
        auth="none",
        methods=None,  # every method reaches us, so a wrong one gets our JSON 405
        csrf=False,
        save_session=False,
    )
    def omnitron_order_webhook(self, **_params):
        started, started_clock = fields.Datetime.now(), time.monotonic()
        httprequest = request.httprequest
        if httprequest.method != "POST":
            return _answer(responses.METHOD_NOT_ALLOWED, headers={"Allow": "POST"})
        if not responses.accepts_json(httprequest.headers.get("Accept")):
            return _answer(responses.NOT_ACCEPTABLE)

        token = responses.token_from_header(httprequest.headers.get("Authorization"))
        user = request.env["omnitron.token"].sudo()._user_for_token(token) if token else None
        if not user:
            _logger.info("Omnitron webhook: authentication failed from %s", httprequest.remote_addr)
            return _answer(responses.UNAUTHORIZED, headers={"WWW-Authenticate": "Token"})
        request.update_env(user=user)

        def reject(outcome, document=None, delivery=None):
            request.env["omnitron.webhook.event"]._record(
                user=user,
                outcome=outcome,
                started=started,
                started_clock=started_clock,
                delivery=delivery,
                document=document,
            )
            return _answer(outcome)

        if not user.has_group("omnitron_order_webhook.group_omnitron_sender"):
            return reject(responses.FORBIDDEN)

        if httprequest.mimetype in _FORM_MIMETYPES:
            # Odoo has already parsed (and consumed) such a body as a form.
            return reject(responses.UNSUPPORTED_MEDIA_TYPE)

        # The declared length is checked before reading a byte; a chunked body
        # (no Content-Length) is bounded by Odoo's own limit, then by ours.
        limit = _max_body_bytes()
        if (httprequest.content_length or 0) > limit:
            return reject(responses.too_large(limit))
        body = httprequest.get_data()
        if len(body) > limit:
            return reject(responses.too_large(limit))

        try:
            document = decode_json(body)
        except InvalidJson as error:
            return reject(responses.invalid_json(str(error)))
        scrubbed = scrub_payload(document)
        try:
            delivery = parse_delivery(document)
        except InvalidPayload as error:
            return reject(responses.invalid_payload(error.errors), document=scrubbed)

        outcome, _event = request.env["omnitron.order.import"]._receive(
            delivery, scrubbed, user, started, started_clock
        )
        return _answer(outcome)


def _max_body_bytes():
    value = request.env["ir.config_parameter"].sudo().get_param(const.PARAM_MAX_BODY_BYTES)
    try:
        return int(value) if value else const.DEFAULT_MAX_BODY_BYTES
    except ValueError:
        return const.DEFAULT_MAX_BODY_BYTES


def _answer(outcome, headers=None):
    if outcome.body is None:
        response = request.make_response(b"", status=outcome.status, headers=list((headers or {}).items()))
        del response.headers["Content-Type"]
        return response
    headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", **(headers or {})}
    return request.make_response(
        json.dumps(outcome.body, ensure_ascii=False), status=outcome.status, headers=list(headers.items())
    )
