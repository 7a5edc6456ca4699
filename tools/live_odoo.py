"""A real, multi-worker Odoo with the addon, for the live tests and the benchmark.

``HttpCase`` runs every request in the test's one transaction, so it cannot
show a race between workers or a dropped connection. ``LiveOdoo`` starts
``odoo --workers=N`` as its own process on a copy of an installed database,
creates an Omnitron account for the admin's company, a sender of that account
(with its token) and the sample's carrier over XML-RPC, and posts real HTTP.
``connect_account()`` points the account at an Omnitron (the contract double).
Imports nothing from Odoo: it drives it from outside.

With ``queue_job=True`` the server runs OCA queue_job's job runner as bin/run
configures it (``server_wide_modules = base,web,queue_job``, the channels of
core/capacity.py, and as many workers as that leaves two free for HTTP): the
runner is a process of the server that calls back into the server's own port to run each job, so the jobs that tell
Omnitron what Odoo did really run, in the workers, as in production.
``restart()`` stops the server and starts it again on the same port.
"""

import contextlib
import importlib.util
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client

import psycopg2

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE_PATH = REPO / "omnitron_order_webhook" / "tests" / "data" / "sample_order.json"
WEBHOOK_PATH = "/api/v1/oms/orders_omnitron/"


def _capacity():
    """The addon's rule for job capacities (core/capacity.py, pure Python), loaded by its path."""
    path = REPO / "omnitron_order_webhook" / "core" / "capacity.py"
    spec = importlib.util.spec_from_file_location("omnitron_capacity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CAPACITY = _capacity()
# queue_job's runner, as bin/run configures it: Omnitron's channels one job at a time, and at
# most the root's capacity in all, so the webhook always has workers of its own.
QUEUE_JOB_CHANNELS = CAPACITY.CHANNELS
ADMIN_UID = 2  # the template database's administrator (login admin, password admin)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample():
    return json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))


class Answer:
    def __init__(self, status, body, headers):
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Answer {self.status} {self.body[:200]!r}>"


class LiveOdoo:
    """``with LiveOdoo(conf, template_db, workers=2) as odoo: odoo.post(body)``."""

    def __init__(self, conf, template_db, *, workers=2, db=None, extra_args=(), log_path=None, queue_job=False):
        self.conf = conf
        self.template_db = template_db
        self.workers = workers
        self.db = db or f"{template_db}_live_{os.getpid()}_{workers}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Odoo's websocket (gevent) process listens on its own port, 8072 unless
        # told: a free one, so two servers (a live run and bin/test, say) never clash.
        self.gevent_port = free_port()
        self.queue_job = queue_job
        if queue_job:
            CAPACITY.check(workers, QUEUE_JOB_CHANNELS)  # a live server configured as bin/run would accept it
        self.extra_args = list(extra_args)
        self.log_path = pathlib.Path(log_path or f"/tmp/omnitron-live-{self.db}.log")
        self.process = None
        options = self._conf_options()
        self.pg = {"host": options["db_host"], "port": int(options["db_port"]), "user": options["db_user"]}
        self.token = None

    def _conf_options(self):
        options = {}
        for line in pathlib.Path(self.conf).read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                options[key.strip()] = value.strip()
        return options

    # -- lifecycle ------------------------------------------------------------

    def __enter__(self):
        self.create_database()
        self.start()
        self.prepare()
        return self

    def __exit__(self, *exc):
        self.stop()
        self.drop_database()

    def connect(self, dbname=None):
        connection = psycopg2.connect(dbname=dbname or self.db, **self.pg)
        connection.autocommit = True
        return connection

    def create_database(self):
        with contextlib.closing(self.connect("postgres")) as connection, connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.db}"')
            cursor.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{self.template_db}"')
        # Odoo keeps attachments (compiled assets) in the filestore, per database.
        data_dir = pathlib.Path(self._conf_options()["data_dir"]) / "filestore"
        if (data_dir / self.template_db).exists():
            shutil.copytree(data_dir / self.template_db, data_dir / self.db, dirs_exist_ok=True)

    def drop_database(self):
        with contextlib.closing(self.connect("postgres")) as connection, connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        shutil.rmtree(pathlib.Path(self._conf_options()["data_dir"]) / "filestore" / self.db, ignore_errors=True)

    def start(self, append_log=False):
        """Start the server and wait until it answers (``append_log``: keep the log of a previous run)."""
        # The installed "odoo" script, not "python -m odoo": with workers, Odoo
        # re-runs its own argv[0] for the gevent (websocket) process.
        launcher = [shutil.which("odoo")] if shutil.which("odoo") else [sys.executable, "-m", "odoo"]
        command = [
            *launcher,
            "-c",
            str(self.conf),
            "-d",
            self.db,
            f"--db-filter=^{self.db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            "--limit-time-real=300",
            "--limit-time-cpu=300",
            "--log-level=info",
            *self.extra_args,
        ]
        env = dict(os.environ)
        if self.queue_job:
            # The runner runs inside the server (a server-wide module); Odoo's
            # command line has no options for it, so its settings go by environment.
            command.append("--load=base,web,queue_job")
            env.update(
                ODOO_QUEUE_JOB_CHANNELS=QUEUE_JOB_CHANNELS,
                ODOO_QUEUE_JOB_SCHEME="http",
                ODOO_QUEUE_JOB_HOST="127.0.0.1",
                ODOO_QUEUE_JOB_PORT=str(self.port),
            )
        self.log = open(self.log_path, "a" if append_log else "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer within 120 s; see {self.log_path}")

    def stop(self):
        """SIGTERM to the server's whole process group, as systemd stops a service by default.

        The master stops gracefully; the workers and queue_job's runner do not
        handle SIGTERM and end at once. SIGKILL after 30 seconds.
        """
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def restart(self):
        """Stop the server as ``stop()`` does, then start it again on the same port and database."""
        self.stop()
        self.start(append_log=True)

    def server_log(self):
        return self.log_path.read_text(errors="replace")

    # -- data -------------------------------------------------------------------

    def rpc(self, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, ADMIN_UID, "admin", model, method, list(args), kwargs)

    def prepare(self):
        """The Omnitron account, its sender and the sender's token, and a carrier matching the sample's cargo company.

        The account belongs to the admin's company and has no connection: a
        test that needs Omnitron's API gives it one with ``connect_account()``.
        """
        group = self.rpc("ir.model.data", "check_object_reference", "omnitron_order_webhook", "group_omnitron_sender")[
            1
        ]
        [admin] = self.rpc("res.users", "read", [ADMIN_UID], ["company_id"])
        company_id = admin["company_id"][0]
        # The contract double and the benchmark's dead port are http:// on 127.0.0.1: a sandbox.
        self.set_param("omnitron_order_webhook.sandbox_api_urls", "true")
        self.account_id = self.rpc("omnitron.account", "create", {"name": "Live Omnitron", "company_id": company_id})
        self.sender_id = self.rpc(
            "res.users",
            "create",
            {
                "name": "Live sender",
                "login": "live-sender",
                "password": "live-sender-password",
                "groups_id": [(6, 0, [group])],
                "omnitron_account_id": self.account_id,
                "company_id": company_id,
                "company_ids": [(6, 0, [company_id])],
            },
        )
        self.token = self.rpc("res.users", "omnitron_generate_token", [self.sender_id])
        product = self.rpc(
            "product.product", "create", {"name": "Yurtiçi shipping", "type": "service", "taxes_id": [(5,)]}
        )
        self.carrier_id = self.rpc(
            "delivery.carrier",
            "create",
            {
                "name": "Yurtiçi Kargo",
                "product_id": product,
                "omnitron_shipping_company": "yurtici",
                "omnitron_erp_code": "yurtici_kargo",
            },
        )

    def set_param(self, key, value):
        self.rpc("ir.config_parameter", "set_param", key, value)

    def connect_account(
        self, url, username, password, *, outbound_enabled=True, cancellation_reason_id=7, timeout_seconds=10, **values
    ):
        """Point the account at the Omnitron API on ``url`` (the contract double) with these credentials.

        ``values``: other fields of the account written with them (``catch_up_enabled``, say).
        """
        self.account_write(
            api_url=url,
            api_username=username,
            api_password=password,
            outbound_enabled=outbound_enabled,
            cancellation_reason_id=cancellation_reason_id,
            timeout_seconds=timeout_seconds,
            **values,
        )

    def account_write(self, **values):
        self.rpc("omnitron.account", "write", [self.account_id], values)

    def account(self, *fields):
        """The account's ``fields`` as a dict (the password is never read back)."""
        [values] = self.rpc("omnitron.account", "read", [self.account_id], list(fields))
        return values

    # -- HTTP ---------------------------------------------------------------------

    def post(self, body=None, *, raw=None, token=None, headers=None, method="POST", path=WEBHOOK_PATH, timeout=120):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Content-Type": "application/json", "Authorization": f"Token {token or self.token}"}
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={key: value for key, value in all_headers.items() if value is not None},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode("utf-8", "replace"), dict(error.headers))

    def query(self, sql, params=()):
        with contextlib.closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
