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

from ..core import responses, tokens
from ..core.settings import ConfigError
from ..core.validation import InvalidJson, InvalidPayload, decode_json, parse_delivery, scrub_payload

_logger = logging.getLogger(__name__)

_FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Odoo replays a request after a serialization failure; the rate counter of a
# request is kept here so a replay does not count it twice.
_RATE_ENVIRON_KEY = "omnitron_order_webhook.rate_retry_after"


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

        service = request.env["omnitron.order.import"].sudo()
        try:
            settings, config_error = service._omnitron_settings(), None
        except ConfigError as error:
            settings, config_error = None, error

        token = responses.token_from_header(httprequest.headers.get("Authorization"))
        sender_token = request.env["omnitron.token"].sudo()._authenticate(token) if token else None
        user = sender_token.user_id if sender_token else None
        if not user:
            _logger.info("Omnitron webhook: authentication failed from %s", httprequest.remote_addr)
            # With broken settings the limit is unknown; the error is reported
            # (once per authenticated delivery) on the authenticated path.
            if config_error is None:
                retry_after = _rate_limited(f"ip:{httprequest.remote_addr}", settings.rate_limit_failed_auth)
                if retry_after:
                    return _answer(responses.rate_limited(retry_after), headers={"Retry-After": str(retry_after)})
            return _answer(responses.UNAUTHORIZED, headers={"WWW-Authenticate": "Token"})
        request.update_env(user=user)

        def reject(outcome, document=None, headers=None):
            request.env["omnitron.webhook.event"]._record(
                user=user,
                outcome=outcome,
                started=started,
                started_clock=started_clock,
                document=document,
                token=sender_token,
            )
            return _answer(outcome, headers=headers)

        if config_error is not None:
            service._report_config_error(config_error)
            return reject(responses.config_error(config_error))
        retry_after = _rate_limited(f"token:{token[: tokens.INDEX_SIZE]}", settings.rate_limit_per_token)
        if retry_after:
            return reject(responses.rate_limited(retry_after), headers={"Retry-After": str(retry_after)})
        if not user.has_group("omnitron_order_webhook.group_omnitron_sender"):
            return reject(responses.FORBIDDEN)
        if httprequest.mimetype in _FORM_MIMETYPES:
            # Odoo has already parsed (and consumed) such a body as a form.
            return reject(responses.UNSUPPORTED_MEDIA_TYPE)

        # The declared length is checked before reading a byte; a chunked body
        # (no Content-Length) is bounded by Odoo's own limit, then by ours.
        limit = settings.max_body_bytes
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

        outcome, _event = service._receive(
            delivery,
            scrubbed,
            user,
            started=started,
            started_clock=started_clock,
            settings=settings,
            raw_document=document,
            token=token,
            sender_token=sender_token,
        )
        return _answer(outcome)


def _rate_limited(key, limit):
    """Seconds to wait when ``key`` is over ``limit`` this minute, else None (counted once per request)."""
    environ = request.httprequest.environ
    if _RATE_ENVIRON_KEY not in environ:
        environ[_RATE_ENVIRON_KEY] = request.env["omnitron.rate.counter"].sudo()._hit(key, limit)
    return environ[_RATE_ENVIRON_KEY]


def _answer(outcome, headers=None):
    if outcome.body is None:
        response = request.make_response(b"", status=outcome.status, headers=list((headers or {}).items()))
        del response.headers["Content-Type"]
        return response
    headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", **(headers or {})}
    return request.make_response(
        json.dumps(outcome.body, ensure_ascii=False), status=outcome.status, headers=list(headers.items())
    )
