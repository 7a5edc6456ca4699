"""Check an Odoo configuration file's workers against its queue_job channels (bin/run runs it).

    python3 tools/job_capacity.py odoo.conf      # exit 1 with the reason when jobs could take every worker
    python3 tools/job_capacity.py --defaults     # print "WORKERS CHANNELS", bin/run's configuration

The rule lives in the addon's pure core (core/capacity.py), loaded by its
path: this runs without Odoo.
"""

import configparser
import importlib.util
import pathlib
import sys

CORE = pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook" / "core" / "capacity.py"


def _capacity():
    spec = importlib.util.spec_from_file_location("omnitron_capacity", CORE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    capacity = _capacity()
    if argv[1:] == ["--defaults"]:
        print(capacity.WORKERS, capacity.CHANNELS)
        return 0
    config = configparser.ConfigParser()
    config.read(argv[1])
    workers = int(config.get("options", "workers", fallback="0") or 0)
    channels = config.get("queue_job", "channels", fallback="root:1")
    try:
        left = capacity.check(workers, channels)
    except ValueError as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 1
    print(f"{argv[1]}: {workers} workers, jobs at most {workers - left} at once, {left} always free for HTTP")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
