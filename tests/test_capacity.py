"""core/capacity.py: the job runner never takes every Odoo worker (bin/run checks its configuration with it)."""

import doctest
import pathlib
import subprocess
import sys

import pytest

from omnitron_order_webhook.core import capacity

TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "job_capacity.py"


def test_the_doctests():
    assert doctest.testmod(capacity).failed == 0


def test_bin_runs_configuration_leaves_two_workers_for_http():
    assert capacity.check(capacity.WORKERS, capacity.CHANNELS) == 2


@pytest.mark.parametrize(
    ("workers", "channels", "words"),
    [
        (2, "root:2,root.omnitron:1", "up to 2 jobs run at once, leaving 0 worker(s)"),
        (3, "root:2", "leaving 1 worker(s)"),
        (2, "root.omnitron:1", "leaving 1 worker(s)"),  # queue_job's root capacity defaults to 1
        (0, "root:1", "multi-process mode"),
        (4, "root:x", "must be a whole number"),
    ],
)
def test_a_configuration_whose_jobs_could_take_the_webhooks_workers_is_refused_in_words(workers, channels, words):
    with pytest.raises(ValueError) as caught:
        capacity.check(workers, channels)
    assert words in str(caught.value)


def test_the_tool_checks_a_configuration_file(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text("[options]\nworkers = 4\n\n[queue_job]\nchannels = root:2,root.omnitron:1\n")
    bad = tmp_path / "bad.conf"
    bad.write_text("[options]\nworkers = 2\n\n[queue_job]\nchannels = root:2,root.omnitron:1\n")
    ran = subprocess.run([sys.executable, str(TOOL), str(good)], capture_output=True, text=True, check=False)
    assert ran.returncode == 0 and "2 always free for HTTP" in ran.stdout
    ran = subprocess.run([sys.executable, str(TOOL), str(bad)], capture_output=True, text=True, check=False)
    assert ran.returncode == 1 and "leaving 0 worker(s) for the webhook" in ran.stderr
