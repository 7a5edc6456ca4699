"""Omnitron's integration API, as the outbound jobs call it (pure Python, ``requests``).

Facts (shared/spec/omnitron_lifecycle.md, "Talking back to Omnitron"): log in
with ``POST /api/i1/auth/login/`` to get a key; every call sends
``Authorization: Token <key>``; a 401 means the key expired: log in again
once and repeat the call; at most 3 logins per 6 minutes. Answers are JSON.

What a call's failure means for the job that made it is decided here, once:

- ``TemporaryFailure``: try again later — no connection, a timeout, a 5xx, a
  429 (``retry_after`` carries its ``Retry-After``), or the login limit reached;
- ``PermanentFailure``: trying again cannot help — any other 4xx, with
  Omnitron's error body in the message.

What a failure keeps of Omnitron's answer ends up on a job, on the order
(readable by sales users) and in the server log, so: a refused login keeps
only its status (its answer may echo the password); any other answer is read
as words without the password and the session key (``privacy.without_secrets``,
also in their JSON-escaped spelling) and cut to ``MAX_ERROR_BODY`` only then.

Every call is bounded as a whole, not per read: ``Connection.timeout`` is
the deadline of the exchange (connecting, sending, the headers and the whole
answer). An Omnitron that dribbles a byte every few seconds never resets it:
when the deadline passes, the call's socket is shut (``_Deadline``) and the
call is a ``TemporaryFailure`` like any timeout. An answer is read up to
``Connection.max_answer_bytes`` (the webhook's own body limit by default) and
refused beyond it, before it is parsed or stored anywhere.

The key is shared by every worker and server through a ``KeyStore`` (the Odoo
side keeps it in the database, ``omnitron.api.session``); this module only
says when to replace it.
"""

import contextlib
import dataclasses
import json
import socket
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import privacy
from .settings import (
    ConfigError,
    Secret,  # noqa: F401 - the password's type, re-exported for the client's users
    _lt,
    check_destination,
)

LOGIN_PATH = "/api/i1/auth/login/"
MARK_SENT_PATH = "/api/v1/orders/{pk}/"
BULK_STATUS_PATH = "/api/i1/order_items/bulk_status_update/"
CANCEL_PATH = "/api/i1/orders/{pk}/cancel/"
# The read side ("Pulling orders"): the orders list (DRF page-number pagination) and one order's detail.
LIST_PATH = "/api/i1/orders/"
DETAIL_PATH = "/api/i1/orders_integration/{pk}/detailed_integration/"
# An order's items when its detail does not nest them (Akinon: "Get Order Item Detail", ?order={pk}, paginated).
ITEMS_PATH = "/api/i1/order_item/detailed_integration/"

# Akinon's own client allows itself at most 3 logins per 6 minutes.
MAX_LOGINS = 3
LOGIN_WINDOW = timedelta(minutes=6)
# How much of an error body a failure keeps (Omnitron's bodies are short JSON), characters.
MAX_ERROR_BODY = 2000
# How much of an error body is read at all before its secrets are removed, characters.
MAX_READ_BODY = 65536
# The largest answer read at all, bytes: the webhook's own body limit (settings.max_body_bytes) by default.
MAX_ANSWER_BYTES = 5 * 1024 * 1024
_CHUNK = 65536


class ApiFailure(Exception):
    """A call to Omnitron did not succeed; ``str()`` says why in English words.

    ``template`` (marked with ``_lt``, so Odoo exports it for translation) and
    ``params`` keep the sentence apart from its values, as ``ConfigError``
    does: the Odoo side shows it in its reader's language (``say_failure``).
    """

    def __init__(self, template, params=None):
        self.template = template
        self.params = dict(params or {})
        super().__init__(template % self.params if self.params else template)


class TemporaryFailure(ApiFailure):
    def __init__(self, template, params=None, retry_after=None, waiting=False):
        super().__init__(template, params)
        self.retry_after = retry_after  # seconds Omnitron asked us to wait, when it said
        self.waiting = waiting  # only waiting our turn (the login limit): not a failed try


class PermanentFailure(ApiFailure):
    def __init__(self, template, params=None, status=None, body=None):
        super().__init__(template, params)
        self.status = status
        self.body = body


@dataclasses.dataclass(frozen=True)
class Connection:
    url: str  # base URL, no trailing slash
    username: str
    password: Secret
    timeout: float  # seconds: the deadline of each whole call (connect, send, headers, answer)
    max_answer_bytes: int = MAX_ANSWER_BYTES
    sandbox: bool = False  # http:// and private addresses allowed (settings.sandbox_api_urls)

    def endpoint(self, path):
        return self.url.rstrip("/") + path


def login_wait(previous_logins, now):
    """Seconds to wait before another login is allowed (0: now), given the logins' times."""
    recent = sorted(at for at in previous_logins if now - at < LOGIN_WINDOW)
    if len(recent) < MAX_LOGINS:
        return 0
    return max(1, int((recent[-MAX_LOGINS] + LOGIN_WINDOW - now).total_seconds()) + 1)


def log_in(connection, session=None):
    """A new key from Omnitron (raises TemporaryFailure or PermanentFailure)."""
    body = {"username": connection.username, "password": str(connection.password)}
    response = _send(session, "POST", connection.endpoint(LOGIN_PATH), connection, body=body)
    if response.status_code == 200:
        answer = _json(response)
        key = answer.get("key") if isinstance(answer, dict) else None
        if isinstance(key, str) and key:
            return key
        raise PermanentFailure(_lt("Omnitron's login answered without a key."), status=response.status_code)
    raise _login_failure(response)


class Client:
    """Calls Omnitron with the shared key, logging in again once on a 401."""

    def __init__(self, connection, key_store, session=None):
        self.connection = connection
        self.key_store = key_store
        self.session = session
        # The shared key as this client last used it: read once, not once per call (a stock push makes
        # thousands); a 401 still takes the store's fresh one, or logs in.
        self._key = None

    def call(self, method, path, body=None):
        """Omnitron's JSON answer to ``method path`` with JSON ``body`` (raises an ApiFailure).

        ``path`` may carry a query string (``LIST_PATH + "?page=2"``); without a
        ``body`` (a GET) the request has none at all, not a JSON ``null``.
        """
        key = stale = self._key or self.key_store.current() or self.key_store.replace(None)
        response = self._request(method, path, body, key)
        if response.status_code == 401:
            key = self.key_store.replace(key)
            response = self._request(method, path, body, key)
        self._key = key
        if 200 <= response.status_code < 300:
            return _json(response)
        raise _failure(response, f"{method} {path}", hidden=(self.connection.password, key, stale))

    def _request(self, method, path, body, key):
        headers = {"Authorization": f"Token {key}"}
        return _send(self.session, method, self.connection.endpoint(path), self.connection, body, headers)


def url_has_credentials(url):
    """Whether ``url`` carries a user name or password (``https://user:pw@host``).

    Such an API URL would send those credentials to Omnitron on every call and
    show them wherever the URL is shown; the settings refuse it.

    >>> url_has_credentials("https://odoo:pw@omnitron.example.com"), url_has_credentials("https://omnitron.example.com")
    (True, False)
    """
    try:
        parts = urlsplit(str(url or "").strip())
    except ValueError:
        return False
    return "@" in parts.netloc


def _send(session, method, url, connection, body=None, headers=None):
    """The answer to one request, read whole within the connection's deadline and size cap."""
    timeout, limit = connection.timeout, connection.max_answer_bytes
    try:
        # Checked again at every call: the name may resolve elsewhere since the URL was saved.
        check_destination(url, "API URL", sandbox=connection.sandbox)
    except ConfigError as error:
        raise PermanentFailure(
            _lt("Not sent (%(method)s %(url)s): %(error)s"), {"method": method, "url": url, "error": str(error)}
        ) from None
    deadline = _Deadline(timeout)
    with deadline, contextlib.ExitStack() as owned:
        if session is None:
            session = owned.enter_context(_session())
        try:
            response = session.request(
                method,
                url,
                json=body,
                headers={"Accept": "application/json", **(headers or {})},
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                response._content = _read_capped(response, limit, f"{method} {url}")
            finally:
                response.close()
        except requests.RequestException as error:
            if deadline.passed or isinstance(error, requests.Timeout):
                raise TemporaryFailure(
                    _lt("Omnitron did not answer within %(seconds)s seconds (%(method)s %(url)s)."),
                    {"seconds": f"{timeout:g}", "method": method, "url": url},
                ) from None
            raise TemporaryFailure(
                _lt("Omnitron could not be reached (%(method)s %(url)s): %(error)s."),
                {"method": method, "url": url, "error": type(error).__name__},
            ) from None
    return response


def _read_capped(response, limit, what):
    """The answer's bytes, refused (before more is read) as soon as they pass ``limit``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit, response.status_code)
    chunks, size = [], 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(what, limit, response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what, limit, status):
    return PermanentFailure(
        _lt("Omnitron's answer to %(what)s is larger than %(limit)s bytes, the most Odoo reads: refused unread."),
        {"what": what, "limit": limit},
        status=status,
    )


class _Deadline:
    """Shuts the sockets of the calls this thread makes once ``seconds`` have passed since it started.

    ``requests``' timeout bounds each socket operation; a server sending one
    byte just inside it would hold a worker for ever. A timer thread shuts
    the socket (``shutdown`` wakes a blocked ``recv`` at once), and the call
    fails as a timeout. The connections register themselves while they send
    (``_WatchedConnection.request``): only this thread's call is cut, whether
    it is waiting for the answer's headers or reading its body.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.passed = False
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        _watch.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        _watch.deadline = None

    def watch(self, sock):
        with self._lock:
            if self.passed:
                _shut(sock)
            self._sockets.append(sock)

    def _expire(self):
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)


_watch = threading.local()


def _shut(sock):
    with contextlib.suppress(OSError):  # already closed: the call is over anyway
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(HTTPConnection):
    def request(self, *args, **kwargs):
        # Connecting and sending are bounded by the per-operation timeout; the socket is
        # watched from then on (http.client drops ``self.sock`` once an answer's headers
        # say the connection closes, while the answer is still being read from it).
        result = super().request(*args, **kwargs)
        deadline = getattr(_watch, "deadline", None)
        if deadline is not None and self.sock is not None:
            deadline.watch(self.sock)
        return result


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections obey the calling thread's ``_Deadline``."""

    def init_poolmanager(self, *args, **kwargs):
        result = super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}
        return result


@contextlib.contextmanager
def kept_session():
    """A session whose connection is kept between the calls made with it (HTTP keep-alive), closed after.

    For a flow that makes many calls in a row (a stock or price push makes
    thousands): one TCP and TLS handshake, not one per call. Each call keeps
    its own deadline and size cap, and its destination is checked again.
    """
    session = _session()
    try:
        yield session
    finally:
        session.close()


def _session():
    """A session for one call, unless a flow keeps one for all of its calls (``kept_session``)."""
    session = requests.Session()
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _login_failure(response):
    """A login that did not give a key, told by its status alone: its answer may echo the password."""
    status = response.status_code
    if status == 429:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        return TemporaryFailure(_lt("Omnitron is rate limiting the login (429)."), retry_after=retry_after)
    if status >= 500:
        return TemporaryFailure(_lt("Omnitron failed to log in (%(status)s)."), {"status": status})
    # A login that is refused is a configuration problem: never retried blindly.
    return PermanentFailure(
        _lt("Omnitron refused the login (%(status)s); check the API username and password on the Omnitron account."),
        {"status": status},
        status=status,
    )


def _failure(response, what, hidden=()):
    """The failure of a call, keeping Omnitron's answer without ``hidden`` secrets, cut to size."""
    status = response.status_code
    text = privacy.without_secrets(response.text[:MAX_READ_BODY], hidden)
    said = readable_answer(text, hidden=hidden)
    if status == 429:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        return TemporaryFailure(
            _lt("Omnitron is rate limiting (%(what)s, 429): %(said)s"),
            {"what": what, "said": said},
            retry_after=retry_after,
        )
    params = {"what": what, "status": status, "said": said}
    if status >= 500:
        return TemporaryFailure(_lt("Omnitron failed (%(what)s, %(status)s): %(said)s"), params)
    return PermanentFailure(
        _lt("Omnitron refused %(what)s (%(status)s): %(said)s"), params, status=status, body=text[:MAX_ERROR_BODY]
    )


def readable_answer(text, limit=500, hidden=()):
    """What Omnitron's error answer says, in words: DRF's JSON errors as "field: message".

    A ``detail`` reads as its message, with its escaped characters decoded
    (so a Turkish message reads in Turkish); field errors read as their path
    and message. Anything else is its text on one line. The ``hidden``
    secrets are removed before it is cut to at most ``limit`` characters.

    >>> readable_answer('{"orderitem_set": [{"status": ["bad"]}, {}], "non_field_errors": ["no"]}')
    'orderitem_set[0].status: bad; no'
    """
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        document = None
    if isinstance(document, (dict, list)):
        said = "; ".join(
            f"{path}: {message}" if path else message for path, message in _messages(document, "") if message
        )
    else:
        said = " ".join(str(text or "").split())
    said = privacy.without_secrets(said, hidden) or "(an empty answer)"
    return said if len(said) <= limit else said[: limit - 1] + "…"


def _messages(node, path):
    """(field path, message) pairs of a DRF error document; "detail" and "non_field_errors" name no field."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = path if key in ("detail", "non_field_errors", "error", "message") else _join(path, str(key))
            yield from _messages(value, child)
    elif isinstance(node, list):
        strings = all(not isinstance(value, (dict, list)) for value in node)
        for index, value in enumerate(node):
            yield from _messages(value, path if strings else f"{path}[{index}]")
    elif node not in (None, ""):
        yield path, " ".join(str(node).split())


def _join(path, key):
    return f"{path}.{key}" if path else key


def _retry_after(value):
    """Seconds from a ``Retry-After`` header (only the delta-seconds form is used)."""
    try:
        return max(1, int(str(value).strip()))
    except (TypeError, ValueError):
        return None


def _json(response):
    if not response.content:
        return {}
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return {"text": response.text[:MAX_ERROR_BODY]}
