"""core/omnitron_api.py over real HTTP, against the contract double of Omnitron's API;
and the check of the API URL an Omnitron account applies (core/settings.parse_url).

The double lives in the addon's tests folder, whose ``__init__`` imports Odoo:
it is loaded here by its file path. ``KeyStore`` is an in-memory stand-in for
the Odoo side's shared key (models/omnitron_api_session.py): it logs in with
``omnitron_api.log_in``, counts its logins and honours ``login_wait``.
"""

import doctest
import importlib.util
import json
import pathlib
import socket
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from omnitron_order_webhook.core import catch_up, omnitron_api, outbound, validation
from omnitron_order_webhook.core.omnitron_api import (
    BULK_STATUS_PATH,
    CANCEL_PATH,
    DETAIL_PATH,
    LIST_PATH,
    LOGIN_PATH,
    MARK_SENT_PATH,
    Client,
    Connection,
    PermanentFailure,
    TemporaryFailure,
    readable_answer,
    url_has_credentials,
)
from omnitron_order_webhook.core.settings import ConfigError, Secret, parse_url

DOUBLE_PATH = (
    pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook" / "tests" / "omnitron_api_double.py"
)


def _load_double():
    if "omnitron_api_double" in sys.modules:  # tests/test_omnitron_api_double.py loaded it already
        return sys.modules["omnitron_api_double"]
    spec = importlib.util.spec_from_file_location("omnitron_api_double", DOUBLE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


double = _load_double()

USERNAME = "odoo"
PASSWORD = "Pa55-w0rd-n3ver-sh0wn"
ORDER = 31999
MARK_SENT = MARK_SENT_PATH.format(pk=ORDER)


class KeyStore:
    """The shared key, in memory: ``current()`` and ``replace(stale_key)`` as the client expects."""

    def __init__(self, connection, now=lambda: datetime.now(UTC)):
        self.connection = connection
        self.now = now
        self.key = None
        self.login_times = []

    @property
    def logins(self):
        return len(self.login_times)

    def current(self):
        return self.key

    def replace(self, stale_key):
        if self.key and self.key != stale_key:
            return self.key  # someone else logged in meanwhile
        now = self.now()
        wait = omnitron_api.login_wait(self.login_times, now)
        if wait:
            raise TemporaryFailure(f"Next login allowed in {wait} seconds.", retry_after=wait, waiting=True)
        self.key = omnitron_api.log_in(self.connection)
        self.login_times.append(now)
        return self.key


@pytest.fixture
def api():
    with double.OmnitronApiDouble(username=USERNAME, password=PASSWORD) as server:
        yield server


def connect(url, password=PASSWORD, timeout=5.0):
    # The double listens on 127.0.0.1 over http: a sandbox, as settings.sandbox_api_urls allows.
    return Connection(url=url, username=USERNAME, password=Secret(password), timeout=timeout, sandbox=True)


@pytest.fixture
def client(api):
    connection = connect(api.url)
    return Client(connection, KeyStore(connection))


def mark_sent(client):
    return client.call("PATCH", MARK_SENT, {"is_send": True})


def failure_of(call, *args):
    """The ApiFailure ``call(*args)`` raises (the test fails when it raises none)."""
    with pytest.raises(omnitron_api.ApiFailure) as caught:
        call(*args)
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.args)
    return caught.value


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The key ------------------------------------------------------------------------


def test_a_first_call_logs_in_once_then_sends_the_token(api, client):
    assert mark_sent(client) == {"pk": ORDER, "is_send": True}
    login, call = api.calls
    assert (login.method, login.path, login.status) == ("POST", LOGIN_PATH, 200)
    assert login.body == {"username": USERNAME, "password": "***"}  # the double masks what it records
    assert (call.method, call.path, call.status) == ("PATCH", MARK_SENT, 200)
    assert call.headers["Authorization"] == f"Token {client.key_store.key}"
    assert client.key_store.logins == 1


def test_a_second_call_reuses_the_key(api, client):
    mark_sent(client)
    mark_sent(client)
    assert len(api.logins()) == 1 and client.key_store.logins == 1
    first, second = api.calls_to(MARK_SENT)
    assert first.headers["Authorization"] == second.headers["Authorization"]


def test_an_expired_key_logs_in_again_once_and_repeats_the_call(api, client):
    mark_sent(client)
    stale = client.key_store.key
    api.expire_keys()
    assert mark_sent(client) == {"pk": ORDER, "is_send": True}
    assert len(api.logins()) == 2 and client.key_store.logins == 2
    assert [(call.path, call.status) for call in api.calls[2:]] == [
        (MARK_SENT, 401),
        (LOGIN_PATH, 200),
        (MARK_SENT, 200),
    ]
    assert api.calls[-1].headers["Authorization"] == f"Token {client.key_store.key}" != f"Token {stale}"


def test_a_second_401_in_a_row_is_a_permanent_failure_after_exactly_one_more_login(api, client):
    mark_sent(client)
    api.fail_next(2, status=401, body={"detail": "Invalid token."})
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, PermanentFailure)
    assert failure.status == 401 and "Invalid token." in str(failure)
    assert len(api.logins()) == 2 and len(api.calls_to(MARK_SENT)) == 3


def test_the_client_hands_the_key_that_got_the_401_to_the_store_as_stale(api, client):
    replaced = []
    replace = client.key_store.replace
    client.key_store.replace = lambda stale: replaced.append(stale) or replace(stale)
    mark_sent(client)
    first = client.key_store.key
    api.expire_keys()
    mark_sent(client)
    assert replaced == [None, first]  # no key yet, then the expired one


# What a failure means ---------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_a_temporary_failure(api, client, status):
    api.fail_next(1, status=status)
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, TemporaryFailure)
    assert str(status) in str(failure) and "Server error" in str(failure)
    assert failure.retry_after is None and failure.waiting is False


def test_a_429_is_temporary_and_carries_retry_after(api, client):
    api.rate_limit_next(retry_after=30)
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, TemporaryFailure)
    assert failure.retry_after == 30 and failure.waiting is False
    assert "429" in str(failure)


def test_a_429_with_a_date_for_retry_after_is_temporary_without_a_delay(api, client):
    api.rate_limit_next(retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, TemporaryFailure) and failure.retry_after is None


def test_a_400_is_permanent_and_names_the_status_and_omnitrons_body(api, client):
    rejection = {"orderitem_set": [{"status": ["'451' is not a valid choice."]}]}
    api.reject_next(body=rejection)
    failure = failure_of(client.call, "PATCH", BULK_STATUS_PATH, {"orderitem_set": [{"id": 1, "status": "500"}]})
    assert isinstance(failure, PermanentFailure)
    assert failure.status == 400 and json.loads(failure.body) == rejection
    assert "400" in str(failure) and "orderitem_set[0].status: '451' is not a valid choice." in str(failure)
    assert BULK_STATUS_PATH in str(failure)


def test_omnitrons_answer_is_told_in_words_not_as_escaped_json(api, client):
    api.reject_next(body={"detail": "Geçersiz sipariş durumu."})
    failure = failure_of(client.call, "PATCH", BULK_STATUS_PATH, {"orderitem_set": [{"id": 1, "status": "500"}]})
    assert str(failure).endswith("(400): Geçersiz sipariş durumu.")
    assert "\\u" not in str(failure) and "{" not in str(failure)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ('{"detail": "Ge\\u00e7ersiz token."}', "Geçersiz token."),
        ('{"is_send": ["This field is required."]}', "is_send: This field is required."),
        ('{"non_field_errors": ["Cancellation not allowed."]}', "Cancellation not allowed."),
        ('[{"status": ["bad"]}, {"status": ["worse"]}]', "[0].status: bad; [1].status: worse"),
        ("<html>\n<body>Bad   Gateway</body></html>", "<html> <body>Bad Gateway</body></html>"),
        ("", "(an empty answer)"),
    ],
)
def test_readable_answer(answer, words):
    assert readable_answer(answer) == words


def test_a_long_answer_is_cut_with_an_ellipsis():
    said = readable_answer('{"detail": "' + "x" * 900 + '"}')
    assert len(said) == 500 and said.endswith("…")


def test_a_refused_body_is_permanent_with_the_doubles_field_errors(api, client):
    failure = failure_of(client.call, "PATCH", MARK_SENT, {"is_send": False})
    assert isinstance(failure, PermanentFailure) and "is_send" in json.loads(failure.body)


def test_a_redirect_is_not_followed(api, client):
    api.fail_next(1, status=302, body={}, headers={"Location": "http://127.0.0.1:9/elsewhere/"})
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, PermanentFailure) and failure.status == 302


def test_a_hang_beyond_the_timeout_is_a_temporary_failure_naming_the_timeout(api):
    connection = connect(api.url, timeout=0.5)
    client = Client(connection, KeyStore(connection))
    mark_sent(client)
    api.hang_next(1.5)
    started = time.monotonic()
    failure = failure_of(mark_sent, client)
    assert time.monotonic() - started < 1.4
    assert isinstance(failure, TemporaryFailure)
    assert "0.5 seconds" in str(failure) and MARK_SENT in str(failure)


def test_an_answer_dribbled_a_byte_at_a_time_is_cut_at_the_calls_deadline_not_per_read(api):
    # Each byte comes well inside the timeout: only a deadline on the whole call stops it.
    connection = connect(api.url, timeout=1.0)
    client = Client(connection, KeyStore(connection))
    mark_sent(client)
    api.dribble_next(0.2)
    started = time.monotonic()
    failure = failure_of(mark_sent, client)
    assert time.monotonic() - started < 1.8
    assert isinstance(failure, TemporaryFailure)
    assert "within 1 seconds" in str(failure) and MARK_SENT in str(failure)


def test_a_dribbled_answer_that_ends_before_the_deadline_is_read(api):
    connection = connect(api.url, timeout=5.0)
    client = Client(connection, KeyStore(connection))
    mark_sent(client)
    api.dribble_next(0.01)
    assert mark_sent(client)["is_send"] is True


def test_an_answer_larger_than_the_cap_is_refused_unread_naming_the_cap(api):
    connection = Connection(api.url, USERNAME, Secret(PASSWORD), timeout=5.0, max_answer_bytes=4096, sandbox=True)
    client = Client(connection, KeyStore(connection))
    mark_sent(client)
    api.answer_large_next(5000)
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, PermanentFailure)
    assert "larger than 4096 bytes" in str(failure) and MARK_SENT in str(failure)
    api.answer_large_next(4000)
    assert mark_sent(client) == {"padding": "x" * 4000}


def test_the_default_cap_is_the_webhooks_body_limit():
    from omnitron_order_webhook.core import settings  # noqa: PLC0415

    default = settings.SETTINGS_BY_NAME["max_body_bytes"].default
    assert default == omnitron_api.MAX_ANSWER_BYTES


def test_a_login_answering_a_json_list_is_a_permanent_failure_not_a_traceback(api):
    api._queue(double._Fault(1, 200, ["not", "a", "key"], path=LOGIN_PATH))
    failure = failure_of(omnitron_api.log_in, connect(api.url))
    assert isinstance(failure, PermanentFailure) and "without a key" in str(failure)


@pytest.mark.parametrize(
    "url",
    [
        "http://omnitron.example.com",
        "https://127.0.0.1:8069",
        "https://localhost",
        "https://10.1.2.3",
        "https://192.168.1.10",
        "https://169.254.169.254",
        "https://[::1]",
        "https://0.0.0.0",
    ],
)
def test_a_call_to_plain_http_or_a_private_address_is_never_sent_without_the_sandbox_setting(api, url):
    connection = Connection(url=url, username=USERNAME, password=Secret(PASSWORD), timeout=2)
    failure = failure_of(omnitron_api.log_in, connection)
    assert isinstance(failure, PermanentFailure) and "Not sent" in str(failure)
    assert api.calls == []


def test_the_double_on_loopback_is_refused_unless_the_sandbox_is_allowed(api):
    strict = Connection(url=api.url, username=USERNAME, password=Secret(PASSWORD), timeout=2)
    assert "https only" in str(failure_of(omnitron_api.log_in, strict))
    assert api.calls == []
    assert omnitron_api.log_in(connect(api.url))


@pytest.mark.parametrize(
    ("url", "sandbox", "refusal"),
    [
        ("https://omnitron.example.com", False, None),
        ("https://93.184.216.34", False, None),
        ("http://omnitron.example.com", False, "https only"),
        ("https://127.0.0.1", False, "loopback"),
        ("https://omnitron.localhost", False, "loopback"),
        ("https://172.16.0.5", False, "private"),
        ("https://[fe80::1]", False, "link-local"),
        ("http://127.0.0.1:8069", True, None),
        ("http://10.0.0.2", True, None),
    ],
)
def test_check_destination(url, sandbox, refusal):
    from omnitron_order_webhook.core.settings import check_destination  # noqa: PLC0415

    if refusal is None:
        check_destination(url, "API URL", sandbox=sandbox, resolve=False)
        return
    with pytest.raises(ConfigError) as caught:
        check_destination(url, "API URL", sandbox=sandbox, resolve=False)
    assert str(caught.value).startswith("API URL: ") and refusal in str(caught.value)


def test_an_unreachable_server_is_a_temporary_failure():
    connection = connect(f"http://127.0.0.1:{free_port()}", timeout=2)
    client = Client(connection, KeyStore(connection))
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, TemporaryFailure)
    assert "could not be reached" in str(failure)


def test_a_refused_login_is_permanent_and_keeps_only_its_status(api):
    connection = connect(api.url, password=PASSWORD + "-wrong")
    client = Client(connection, KeyStore(connection))
    failure = failure_of(mark_sent, client)
    assert isinstance(failure, PermanentFailure) and failure.status == 400
    assert str(failure) == (
        "Omnitron refused the login (400); check the API username and password on the Omnitron account."
    )
    assert failure.body is None, "nothing of a refused login's answer is kept"
    assert client.key_store.key is None and api.calls_to(MARK_SENT) == []


def test_a_refused_login_that_echoes_the_password_keeps_only_its_status(api):
    echo = {"username": USERNAME, "password": [f"{PASSWORD} is not the password of {USERNAME}."]}
    api.fail_next(1, status=403, body=echo, path=LOGIN_PATH)
    failure = failure_of(omnitron_api.log_in, connect(api.url))
    assert isinstance(failure, PermanentFailure) and failure.status == 403
    assert "(403)" in str(failure) and "is not the password" not in str(failure)
    assert failure.body is None


def test_a_login_failing_with_a_5xx_that_echoes_the_password_keeps_only_its_status(api):
    api.fail_next(1, status=500, body={"detail": f"Login of {USERNAME}/{PASSWORD} crashed"}, path=LOGIN_PATH)
    failure = failure_of(omnitron_api.log_in, connect(api.url))
    assert isinstance(failure, TemporaryFailure) and "(500)" in str(failure) and "crashed" not in str(failure)


@pytest.mark.parametrize("status", [400, 500])
def test_a_refused_call_that_echoes_the_password_and_the_key_keeps_neither(api, client, status):
    mark_sent(client)
    key = client.key_store.key
    echo = {"detail": f"Request of {USERNAME} (password {PASSWORD}) with Authorization: Token {key} refused."}
    api.fail_next(1, status=status, body=echo)
    failure = failure_of(mark_sent, client)
    for text in (str(failure), repr(failure.args), getattr(failure, "body", None) or ""):
        assert PASSWORD not in text and key not in text
    assert "(password [Filtered]) with Authorization: Token [Filtered] refused." in str(failure)


def test_a_password_escaped_in_omnitrons_json_is_removed_too(api):
    password = "Şifre-çok-gizli-42"
    connection = connect(api.url, password=password)
    api.password = password
    client = Client(connection, KeyStore(connection))
    mark_sent(client)
    # json.dumps escapes non-ASCII characters: the body carries \u015eifre…, its words Şifre…
    api.reject_next({"detail": f"password {password} refused"})
    failure = failure_of(mark_sent, client)
    escaped = json.dumps(password)[1:-1]
    for text in (str(failure), failure.body):
        assert password not in text and escaped not in text
    assert "password [Filtered] refused" in str(failure)


def test_a_secret_cut_by_the_cap_leaves_no_part_of_itself(api, client):
    mark_sent(client)
    # The password straddles both caps: the words' (500 characters) and the body's (MAX_ERROR_BODY).
    for padding in (490, omnitron_api.MAX_ERROR_BODY - 20):
        api.reject_next({"detail": "x" * padding + PASSWORD + "y" * 3000})
        failure = failure_of(mark_sent, client)
        for text in (str(failure), failure.body):
            assert PASSWORD[:8] not in text
        assert len(failure.body) <= omnitron_api.MAX_ERROR_BODY and len(str(failure)) < 700


def test_a_login_answered_without_a_key_is_permanent(api):
    api.fail_next(1, status=200, body={"detail": "ok"}, path=LOGIN_PATH)
    failure = failure_of(omnitron_api.log_in, connect(api.url))
    assert isinstance(failure, PermanentFailure) and "without a key" in str(failure)


def test_a_login_failing_with_a_5xx_is_temporary(api):
    api.fail_next(1, status=503, path=LOGIN_PATH)
    failure = failure_of(omnitron_api.log_in, connect(api.url))
    assert isinstance(failure, TemporaryFailure) and "503" in str(failure)


def test_log_in_returns_a_new_key_each_time(api):
    connection = connect(api.url)
    first, second = omnitron_api.log_in(connection), omnitron_api.log_in(connection)
    assert first and second and first != second
    assert len(api.logins()) == 2


# What the core builds, Omnitron's contract accepts -------------------------------


def test_a_bulk_status_body_from_the_core_is_accepted_and_echoed(api, client):
    shipped = outbound.ItemFacts(48161, "400", None, None, None, None, True, "YK1", "yurtici", None, None)
    invoiced = outbound.ItemFacts(48162, "400", None, None, None, None, False, None, None, "INV/1", date(2024, 5, 2))
    body = outbound.bulk_status_body([shipped, invoiced])
    assert client.call("PATCH", BULK_STATUS_PATH, body) == body


@pytest.mark.parametrize("whole", [True, False])
def test_a_cancel_body_from_the_core_is_accepted(api, client, whole):
    body = outbound.cancel_body(ORDER, [48162, 48161], 7, whole)
    assert client.call("POST", CANCEL_PATH.format(pk=ORDER), body) == {}
    assert api.calls[-1].body == body


@pytest.mark.parametrize("credit_note", ["RINV/2026/00012", None])
def test_a_return_body_from_the_core_is_accepted(api, client, credit_note):
    body = outbound.return_body(ORDER, [48161], 7, cargo_refund=False, refund_invoice_number=credit_note)
    assert client.call("POST", CANCEL_PATH.format(pk=ORDER), body) == {}
    assert api.calls[-1].body == body


# The login limit --------------------------------------------------------------------

NOW = datetime(2024, 5, 2, 12, 0, 0)


def test_login_wait_is_zero_below_three_logins_in_six_minutes():
    assert omnitron_api.login_wait([], NOW) == 0
    assert omnitron_api.login_wait([NOW - timedelta(minutes=1), NOW - timedelta(seconds=5)], NOW) == 0
    older = [NOW - timedelta(minutes=6), NOW - timedelta(minutes=10)]  # left the window
    assert omnitron_api.login_wait([*older, NOW - timedelta(minutes=1), NOW], NOW) == 0


def test_login_wait_with_three_recent_logins_lasts_until_the_oldest_leaves_the_window():
    times = [NOW - timedelta(minutes=5), NOW - timedelta(minutes=2), NOW - timedelta(seconds=10)]
    wait = omnitron_api.login_wait(times, NOW)
    assert 60 <= wait <= 61  # the oldest leaves the window a minute from now
    assert omnitron_api.login_wait(times, NOW + timedelta(seconds=wait)) == 0
    assert omnitron_api.login_wait(list(reversed(times)), NOW) == wait  # order does not matter


def test_login_wait_is_at_least_a_second_while_the_limit_holds():
    times = [NOW - timedelta(minutes=6) + timedelta(microseconds=1), NOW, NOW]
    assert omnitron_api.login_wait(times, NOW) >= 1


def test_a_fourth_login_within_six_minutes_waits_without_calling_omnitron(api):
    clock = [datetime(2024, 5, 2, 12, 0, tzinfo=UTC)]
    connection = connect(api.url)
    store = KeyStore(connection, now=lambda: clock[0])
    for _ in range(3):
        store.replace(store.current())
        clock[0] += timedelta(minutes=1)
    api.expire_keys()
    with pytest.raises(TemporaryFailure) as caught:
        Client(connection, store).call("PATCH", MARK_SENT, {"is_send": True})
    assert caught.value.waiting is True and 180 <= caught.value.retry_after <= 181
    assert len(api.logins()) == 3


# The password is never shown ----------------------------------------------------------


def test_the_connection_repr_never_shows_the_password():
    connection = connect("https://omnitron.example.com")
    assert PASSWORD not in repr(connection) and "********" in repr(connection)
    assert str(connection.password) == PASSWORD


def test_endpoint_joins_the_base_url_and_the_path():
    connection = connect("https://omnitron.example.com/")
    assert connection.endpoint(LOGIN_PATH) == "https://omnitron.example.com/api/i1/auth/login/"


# The API URL (core/settings.parse_url, applied by the Omnitron account's form) ---------------

LABEL = "API URL"


@pytest.mark.parametrize(
    ("stored", "parsed"),
    [
        ("https://omnitron.example.com", "https://omnitron.example.com"),
        ("https://omnitron.example.com/", "https://omnitron.example.com"),
        ("http://127.0.0.1:8090/", "http://127.0.0.1:8090"),
        ("https://omnitron.example.com/tenant/", "https://omnitron.example.com/tenant"),
    ],
)
def test_an_api_url_is_kept_without_its_trailing_slash(stored, parsed):
    assert parse_url(stored, LABEL) == parsed


@pytest.mark.parametrize(
    "stored",
    [
        "omnitron.example.com",
        "ftp://omnitron.example.com",
        "https://",
        "https://omnitron.example.com/?tenant=1",
        "https://omnitron.example.com/#api",
        "https://omnitron.example.com:99999",
        "javascript:alert(1)",
    ],
)
def test_an_api_url_that_is_not_an_http_base_url_is_refused_naming_the_field(stored):
    with pytest.raises(ConfigError) as caught:
        parse_url(stored, LABEL)
    assert LABEL in str(caught.value) and "http or https base URL" in str(caught.value)


@pytest.mark.parametrize("stored", ["https://odoo:pw@omnitron.example.com", "https://odoo@omnitron.example.com"])
def test_an_api_url_with_credentials_is_refused_without_repeating_them(stored):
    assert url_has_credentials(stored)
    with pytest.raises(ConfigError) as caught:
        parse_url(stored, LABEL)
    assert "own fields" in str(caught.value) and "pw" not in str(caught.value)


def test_the_api_password_is_a_secret_whose_repr_never_shows_it():
    assert Secret(PASSWORD) == PASSWORD
    assert repr(Secret(PASSWORD)) == "'********'"
    assert PASSWORD not in repr(connect("https://omnitron.example.com"))
    assert repr(Secret("")) == "''"


# Pulling orders: the read side, as the catch-up job walks it ---------------------------------


def pull(client, status="400", limit=catch_up.PAGE_SIZE):
    """The pks a catch-up run lists at ``status``, page by page as it counts them; and the pages."""
    pks, pages, number = [], [], 1
    while number:
        page = catch_up.read_page(client.call("GET", catch_up.list_path(status, number, limit)))
        pages.append(page)
        pks.extend(page.pks)
        number = number + 1 if page.has_next else None
    return pks, pages


def test_a_get_sends_no_body_at_all(api, client):
    client.call("GET", LIST_PATH)
    call = api.calls[-1]
    assert (call.method, call.path, call.body, call.status) == ("GET", LIST_PATH, None, 200)
    assert not any(name.lower() == "content-type" for name in call.headers)
    assert call.headers.get("Content-Length", "0") == "0"


def test_a_path_with_a_query_reaches_omnitron_with_it(api, client):
    api.seed_orders(3, first_pk=1)
    page = client.call("GET", LIST_PATH + "?is_send=False&limit=2&page=2")
    assert [order["pk"] for order in page["results"]] == [3]
    assert api.calls[-1].query == "is_send=False&limit=2&page=2"


def test_sixty_unsent_orders_are_listed_in_two_pages_of_at_most_fifty_counted_to_the_last(api, client):
    api.seed_orders(60, first_pk=1001)
    pks, pages = pull(client)
    assert pks == list(range(1001, 1061))
    assert [len(page.pks) for page in pages] == [50, 10]
    assert {page.count for page in pages} == {60} and not pages[-1].has_next
    assert api.count_calls("GET", LIST_PATH) == 2 and client.key_store.logins == 1
    assert [call.query for call in api.calls_to(LIST_PATH, "GET")] == [
        "is_send=False&status=400&limit=50&page=1",
        "is_send=False&status=400&limit=50&page=2",  # counted on the API URL, not DRF's next
    ]


def test_sixty_unsent_orders_in_pages_of_twenty_five_are_three_pages(api, client):
    api.seed_orders(60, first_pk=1)
    pks, pages = pull(client, limit=25)
    assert pks == list(range(1, 61)) and [len(page.pks) for page in pages] == [25, 25, 10]


def test_an_order_marked_sent_is_not_listed_again(api, client):
    api.seed_orders(3, first_pk=1)
    client.call("PATCH", MARK_SENT_PATH.format(pk=2), {"is_send": True})
    assert pull(client)[0] == [1, 3]
    for pk in (1, 3):
        client.call("PATCH", MARK_SENT_PATH.format(pk=pk), {"is_send": True})
    pks, (page,) = pull(client)
    assert pks == [] and page.count == 0


def test_each_status_is_pulled_by_itself(api, client):
    api.seed_orders(2, first_pk=1, status="400")
    api.seed_orders(3, first_pk=10, status="450")
    api.add_order({**api.order(1), "pk": 20, "number": "N20", "status": "500"})
    pulled = {status: pull(client, status)[0] for status in catch_up.parse_statuses("400, 450")}
    assert pulled == {"400": [1, 2], "450": [10, 11, 12]}


def test_a_pulled_detail_is_the_order_and_parses_as_a_webhook_call(api, client, sample):
    api.add_order(sample["payload"])
    detail = client.call("GET", catch_up.detail_path(31999))
    assert detail == {**sample["payload"], "is_send": False}
    assert DETAIL_PATH.format(pk=31999) == catch_up.detail_path(31999)
    call = validation.parse_webhook_call(catch_up.detail_call(detail, account_key=1, pk=31999))
    assert (call.order.number, call.event_type, len(call.event_uuid)) == ("202531672482", "order.created", 32)


def test_an_unknown_detail_is_a_permanent_404(api, client):
    failure = failure_of(client.call, "GET", catch_up.detail_path(5))
    assert isinstance(failure, PermanentFailure) and failure.status == 404
    assert "Not found." in str(failure) and catch_up.detail_path(5) in str(failure)


@pytest.mark.parametrize("body", [{"pk": 1, "number": "N1"}, ["not", "an", "order"], "oops"])
def test_a_detail_that_is_not_an_order_is_refused_by_the_webhook_parse_naming_paths(api, client, body):
    api.seed_orders(1, first_pk=1)
    api.corrupt_detail(1, body)
    detail = client.call("GET", catch_up.detail_path(1))
    assert detail == body
    with pytest.raises(validation.InvalidPayload) as caught:
        validation.parse_webhook_call(catch_up.detail_call(detail, account_key=1, pk=1))
    assert all(error.path.startswith("payload") for error in caught.value.errors)


def test_a_5xx_or_a_429_on_the_list_is_a_temporary_failure(api, client):
    api.fail_next(1, status=502, path=LIST_PATH)
    api.rate_limit_next(retry_after=9)
    first, second = failure_of(client.call, "GET", LIST_PATH), failure_of(client.call, "GET", LIST_PATH)
    assert isinstance(first, TemporaryFailure) and "502" in str(first) and f"GET {LIST_PATH}" in str(first)
    assert isinstance(second, TemporaryFailure) and second.retry_after == 9
    assert client.call("GET", LIST_PATH)["count"] == 0


def test_a_hang_on_the_list_is_a_temporary_failure_naming_the_timeout(api):
    connection = connect(api.url, timeout=0.5)
    client = Client(connection, KeyStore(connection))
    api.hang_next(1.5, path=LIST_PATH)
    failure = failure_of(client.call, "GET", catch_up.list_path("400", 1))
    assert isinstance(failure, TemporaryFailure) and "0.5 seconds" in str(failure)


def test_an_expired_key_on_a_read_logs_in_again_once(api, client):
    api.seed_orders(1, first_pk=1)
    client.call("GET", LIST_PATH)
    api.expire_keys()
    assert client.call("GET", catch_up.detail_path(1))["pk"] == 1
    assert client.key_store.logins == 2 and api.count_calls("GET", DETAIL_PATH.format(pk=1)) == 2


def test_pages_are_counted_on_the_api_url_and_next_is_only_read_as_more_or_none(api, client):
    # Akinon's client counts ``page`` and stops on an empty ``next``: a ``next`` naming
    # another host (a proxy's own name, http behind TLS) is never called.
    api.next_host = "omnitron-behind-a-proxy.internal:8080"
    api.seed_orders(120, first_pk=1)
    pks, pages = pull(client, status="400")
    assert pks == list(range(1, 121)) and len(pages) == 3
    assert all(call.headers.get("Host", "").startswith("127.0.0.1") for call in api.calls if call.path == LIST_PATH)


@pytest.mark.parametrize(
    ("url", "has"),
    [
        ("https://user:pw@omnitron.example.com", True),
        ("https://user@omnitron.example.com/", True),
        ("https://:pw@omnitron.example.com", True),
        ("https://omnitron.example.com", False),
        ("http://127.0.0.1:8090/tenant", False),
        ("https://omnitron.example.com/?next=a@b", False),
        ("", False),
        (None, False),
    ],
)
def test_url_has_credentials(url, has):
    assert url_has_credentials(url) is has


def test_the_clients_doctests_hold():
    assert doctest.testmod(omnitron_api).failed == 0


def test_a_kept_session_makes_its_calls_on_one_connection_and_a_call_without_one_its_own():
    with double.OmnitronApiDouble(username=USERNAME, password=PASSWORD, keep_alive=True) as kept:
        connection = connect(kept.url)
        with omnitron_api.kept_session() as session:
            client = Client(connection, KeyStore(connection), session=session)
            for _ in range(3):
                mark_sent(client)
        assert kept.connections(MARK_SENT) == 1
        kept.reset()
        client = Client(connection, KeyStore(connection))
        for _ in range(3):
            mark_sent(client)
        assert kept.connections(MARK_SENT) == 3


def test_a_kept_connection_still_ends_a_call_at_its_deadline():
    with double.OmnitronApiDouble(username=USERNAME, password=PASSWORD, keep_alive=True) as kept:
        connection = connect(kept.url, timeout=0.5)
        with omnitron_api.kept_session() as session:
            client = Client(connection, KeyStore(connection), session=session)
            mark_sent(client)
            kept.hang_next(3, path=MARK_SENT)
            started = time.monotonic()
            with pytest.raises(TemporaryFailure, match="did not answer within 0.5 seconds"):
                mark_sent(client)
            assert time.monotonic() - started < 2.5
            mark_sent(client)  # the next call takes a new connection
