"""bin/run, the README's command to run the addon, as a person runs it: it serves, speaks
English beside Turkish, takes its own websocket port, and SIGTERM leaves nothing running."""

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import psycopg2
import pytest

from .conftest import REPO, record


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_mentioning(text):
    """The pids of running processes whose command line mentions ``text``."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture
def bin_run(live_settings):
    """bin/run on ports and a cluster of its own; whatever it leaves is killed afterwards."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="omnitron-bin-run-"))
    os.chmod(work, 0o755)  # PostgreSQL runs as "postgres" when we are root
    http_port = free_port()
    env = {
        **os.environ,
        "OMNITRON_PG_DIR": str(work / "pg"),
        "OMNITRON_PG_PORT": str(free_port()),
        "OMNITRON_HTTP_PORT": str(http_port),
    }
    log = open(work / "bin-run.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(REPO / "bin" / "run")], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process, env, work
    finally:
        for pid in processes_mentioning(str(work)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def wait_for_login_page(url, process, deadline):
    while time.monotonic() < deadline:
        assert process.poll() is None, "bin/run stopped before serving"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError(f"bin/run did not serve {url} within its deadline")


def test_bin_run_serves_in_english_beside_turkish_and_sigterm_leaves_nothing_running(bin_run):
    process, env, work = bin_run
    http_port = int(env["OMNITRON_HTTP_PORT"])
    started = time.monotonic()
    wait_for_login_page(f"http://127.0.0.1:{http_port}/web/login", process, started + 900)
    served_after = time.monotonic() - started

    conf = (work / "pg" / "odoo.conf").read_text()
    assert f"gevent_port = {http_port + 3}" in conf, conf  # a second instance never takes 8072
    # Jobs never take every worker: two are always left for the webhook (core/capacity.py).
    assert "workers = 4" in conf and "channels = root:2,root.omnitron:1,root.omnitron_pull:1" in conf, conf
    connection = psycopg2.connect(host="127.0.0.1", port=int(env["OMNITRON_PG_PORT"]), user="odoo", dbname="omnitron")
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT code FROM res_lang WHERE active ORDER BY code")
        assert [code for (code,) in cursor.fetchall()] == ["en_US", "tr_TR"]
    connection.close()
    assert processes_mentioning(str(work / "pg")), "Odoo and PostgreSQL run from the run's folder"

    process.send_signal(signal.SIGTERM)  # to bin/run alone, as a supervisor does
    process.wait(timeout=120)
    deadline = time.monotonic() + 30
    while processes_mentioning(str(work / "pg")) and time.monotonic() < deadline:
        time.sleep(1)
    left = processes_mentioning(str(work / "pg"))
    assert not left, f"still running after SIGTERM: {left}"
    record(
        "bin/run",
        "serves, then SIGTERM to the script",
        f"login page after {served_after:.0f} s (database created); en_US and tr_TR active; gevent port "
        "= HTTP + 3; nothing left running (Odoo, its workers, the job runner, PostgreSQL)",
    )


def test_bin_run_refuses_job_capacities_that_could_take_every_worker(bin_run):
    process, env, work = bin_run
    process.kill()
    process.wait()
    refused = subprocess.run(
        [str(REPO / "bin" / "run")],
        env={**env, "OMNITRON_WORKERS": "2", "OMNITRON_JOB_CHANNELS": "root:2,root.omnitron:1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "up to 2 jobs run at once, leaving 0 worker(s) for the webhook" in refused.stderr
    assert not processes_mentioning(str(work / "pg") + " "), "nothing was left running"
