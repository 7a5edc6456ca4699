"""The webhook route: HTTP in, HTTP out.

No business logic lives here (OCA fastapi's rule: a route is a unit of work
with no business logic). The pure core (``core/``) validates the body and
names the answers; ``omnitron.webhook.reception`` records every refusal and
runs the flow; this module only reads the request, authenticates it and maps
the ``Outcome`` to an HTTP response.
"""

import json
import logging

from odoo import http
from odoo.http import request

from ..core import const, responses, tokens
from ..core import settings as omnitron_settings
from ..core.arrival import Arrival
from ..core.settings import ConfigError
from ..core.validation import InvalidJson, InvalidPayload, decode_json

_logger = logging.getLogger(__name__)

_FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Odoo replays a request after a serialization failure; the rate counter of a
# request is kept here so a replay does not count it twice.
_RATE_ENVIRON_KEY = "omnitron_order_webhook.rate_retry_after"
# ...and the body is kept here: the stream can be read only once.
_BODY_ENVIRON_KEY = "omnitron_order_webhook.body"


class OmnitronWebhookController(http.Controller):
    _webhook_url = const.WEBHOOK_PATH
    _cancellation_plan_url = const.CANCELLATION_PLAN_PATH

    @http.route(
        [_webhook_url, _webhook_url.rstrip("/")],
        type="http",
        auth="none",
        methods=None,  # every method reaches us, so a wrong one gets our JSON 405
        csrf=False,
        save_session=False,
    )
    def omnitron_order_webhook(self, **_params):
        return self._handle(const.WEBHOOK_ORDER)

    @http.route(
        [_cancellation_plan_url, _cancellation_plan_url.rstrip("/")],
        type="http",
        auth="none",
        methods=None,
        csrf=False,
        save_session=False,
    )
    def omnitron_cancellation_plan_webhook(self, **_params):
        return self._handle(const.WEBHOOK_CANCELLATION_PLAN)

    def _handle(self, webhook):
        """Both webhooks: one pipeline of checks; only how the body is read differs."""
        # Odoo takes the request's language from its Accept-Language; the answer is English.
        request.update_context(lang=responses.ANSWER_LANG)
        httprequest = request.httprequest
        if httprequest.method != "POST":
            return _answer(responses.METHOD_NOT_ALLOWED, headers={"Allow": "POST"})
        if not responses.accepts_json(httprequest.headers.get("Accept")):
            return _answer(responses.NOT_ACCEPTABLE)

        reception = request.env["omnitron.webhook.reception"].sudo()
        try:
            settings, config_error = reception._settings(), None
        except ConfigError as error:
            settings, config_error = None, error

        # An IP at its failed-authentication limit gets no token checked at
        # all until its minute ends, a valid one included: guessing is stopped,
        # not only slowed. Broken settings do not switch it off: the default holds.
        ip_key = f"ip:{httprequest.remote_addr}"
        failed_auth_limit = (
            settings.rate_limit_failed_auth_per_ip
            if settings
            else omnitron_settings.SETTINGS_BY_NAME["rate_limit_failed_auth_per_ip"].default
        )
        blocked_for = request.env["omnitron.rate.counter"].sudo()._over(ip_key, failed_auth_limit)
        if blocked_for:
            _logger.warning("Omnitron webhook: %s is over the failed-authentication limit", httprequest.remote_addr)
            return _answer(responses.rate_limited(blocked_for), headers={"Retry-After": str(blocked_for)})
        clear_token = responses.token_from_header(httprequest.headers.get("Authorization"))
        sender_token = request.env["omnitron.token"].sudo()._authenticate(clear_token) if clear_token else None
        if not sender_token:
            _logger.info("Omnitron webhook: authentication failed from %s", httprequest.remote_addr)
            retry_after = _rate_limited(ip_key, failed_auth_limit)
            if retry_after:
                return _answer(responses.rate_limited(retry_after), headers={"Retry-After": str(retry_after)})
            return _answer(responses.UNAUTHORIZED, headers={"WWW-Authenticate": "Token"})
        user = sender_token.user_id
        request.update_env(user=user)
        # The token identifies the account: its Omnitron, its company, its channels.
        account = user.sudo().omnitron_account_id
        arrival = Arrival.now(
            user,
            account=account,
            settings=settings,
            token=sender_token,
            clear_token=clear_token,
            webhook=webhook,
            secrets=account._secrets if account else tuple,
        )
        reception = reception.with_user(user).sudo()

        # With settings stored invalid, the body is still read within the
        # defaults' limits and kept: the delivery is reprocessed once they are fixed.
        limits = settings or omnitron_settings.parse_settings({})
        retry_after = _rate_limited(f"token:{clear_token[: tokens.INDEX_SIZE]}", limits.rate_limit_per_token)
        if retry_after:
            outcome = reception._refuse(arrival, responses.rate_limited(retry_after))
            return _answer(outcome, headers={"Retry-After": str(retry_after)})
        if not user.has_group("omnitron_order_webhook.group_omnitron_sender") or not account.active:
            return _answer(reception._refuse(arrival, responses.FORBIDDEN))
        if httprequest.mimetype in _FORM_MIMETYPES:
            # Odoo has already parsed (and consumed) such a body as a form.
            return _answer(reception._refuse(arrival, responses.UNSUPPORTED_MEDIA_TYPE))

        # The declared length is checked before reading a byte; a chunked body
        # (no Content-Length) is read up to one byte past the limit, never whole.
        limit = limits.max_body_bytes
        if (httprequest.content_length or 0) > limit:
            return _answer(reception._refuse(arrival, responses.too_large(limit)))
        body = _read_body(limit)
        if len(body) > limit:
            return _answer(reception._refuse(arrival, responses.too_large(limit)))

        try:
            document = decode_json(body)
        except InvalidJson as error:
            return _answer(reception._refuse(arrival, responses.invalid_json(str(error))))
        arrival = arrival.with_body(document)
        if config_error is not None:
            return _answer(reception._refuse(arrival, responses.config_error(config_error), error=config_error))
        try:
            call = arrival.parse()
        except InvalidPayload as error:
            return _answer(reception._refuse(arrival, responses.invalid_payload(error.errors)))

        outcome, _event = reception._receive(arrival, call)
        return _answer(outcome)


def _read_body(limit):
    """At most ``limit`` + 1 bytes of the body, read once per request (a replay reuses them).

    Odoo's request wrapper exposes no stream, and its ``get_data()`` reads the
    whole body (up to Odoo's 128 MiB) before we could refuse it; werkzeug's
    stream of the wrapped request stops where we stop.
    """
    environ = request.httprequest.environ
    if _BODY_ENVIRON_KEY not in environ:
        stream = request.httprequest._HTTPRequest__wrapped.stream
        chunks, size = [], 0
        while size <= limit:
            data = stream.read(min(65536, limit + 1 - size))
            if not data:
                break
            chunks.append(data)
            size += len(data)
        environ[_BODY_ENVIRON_KEY] = b"".join(chunks)
    return environ[_BODY_ENVIRON_KEY]


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
