"""How many Odoo workers the job runner may take, so the webhook always has some (pure Python).

queue_job's runner runs each job as an HTTP request in one of the server's
workers. Left unbounded, jobs waiting on a slow Omnitron take every worker,
and Omnitron's next webhook waits behind them (seen: 64 s with 2 workers, both
in jobs). The runner's ``root`` channel bounds every job at once (its
sub-channels' jobs count against it), so a configuration is safe when
``workers - root capacity`` leaves at least ``MIN_HTTP_WORKERS`` workers for
HTTP: the webhook, the back office and the runner's own calls.
"""

# What bin/run and the live tier configure (the README's figures come from it).
WORKERS = 4
CHANNELS = "root:2,root.omnitron:1,root.omnitron_pull:1,root.omnitron_stock:1"
MIN_HTTP_WORKERS = 2


def root_capacity(channels):
    """The capacity of the ``root`` channel in queue_job's ``channels`` option (queue_job's default: 1).

    >>> root_capacity("root:2,root.omnitron:1"), root_capacity("root.omnitron:1"), root_capacity("root:4:throttle=2")
    (2, 1, 4)
    """
    for part in (channels or "").split(","):
        name, _, rest = part.strip().partition(":")
        if name.strip() != "root":
            continue
        capacity = rest.split(":")[0].strip()
        if not capacity.isdigit() or int(capacity) < 1:
            raise ValueError(f"queue_job channels: the root channel's capacity must be a whole number, not {rest!r}.")
        return int(capacity)
    return 1


def check(workers, channels):
    """Refuse (ValueError, in words) a configuration whose jobs could leave the webhook without a worker."""
    if workers < 1:
        raise ValueError(
            f"workers = {workers}: the job runner needs Odoo's multi-process mode; give it at least "
            f"{MIN_HTTP_WORKERS + 1} workers."
        )
    jobs = root_capacity(channels)
    if workers - jobs < MIN_HTTP_WORKERS:
        raise ValueError(
            f"workers = {workers} with queue_job channels {channels!r}: up to {jobs} jobs run at once, leaving "
            f"{max(workers - jobs, 0)} worker(s) for the webhook; keep at least {MIN_HTTP_WORKERS} "
            f"(workers >= {jobs + MIN_HTTP_WORKERS}, or a smaller root capacity)."
        )
    return workers - jobs
