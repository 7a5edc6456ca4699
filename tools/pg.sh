# Sourced by bin/run and bin/test: a private PostgreSQL 15 cluster for Odoo.
#
# Why our own cluster: the machine's PostgreSQL server is installed but not
# running, CI starts from nothing, and a throwaway cluster keeps test data away
# from any real database. Callers set PG_DIR and PG_PORT before sourcing.
# PostgreSQL refuses to run as root, so as root the server runs as "postgres".

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
PG_USER_ROLE="${PG_USER_ROLE:-odoo}"   # Odoo refuses to connect as "postgres"

_pg_as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    # Whether PostgreSQL could not listen on 127.0.0.1:$1 now: binding the way
    # it binds (SO_REUSEADDR) fails for a listener and also for a connection
    # that happens to use the port as its local end, which a connect test
    # never sees. Our default ports sit below the kernel's ephemeral range
    # (32768-60999) so the second case is rare; pg_start still retries.
    python3 - "$1" <<'PY'
import socket, sys
with socket.socket() as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(0)
sys.exit(1)
PY
}

first_free_port() {
    # The first port from $1 on that nothing listens on.
    local port="$1"
    while port_in_use "$port"; do port=$((port + 1)); done
    echo "$port"
}

pg_start() {
    # Initialise the cluster on first use, then start it unless it runs already.
    # PG_PORT is a wish: when another server (a cluster some earlier run left
    # behind, say) holds it, the next free port is used and PG_PORT says which,
    # so a stray server never fails a run.
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" = "0" ]; then chown postgres: "$PG_DIR"; fi
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
            || { cat "$PG_DIR/initdb.log"; return 1; }
    fi
    if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        PG_PORT="$(sed -n 4p "$PG_DIR/data/postmaster.pid")"
    else
        # Up to five ports: the probe and the server's own bind are not one step.
        local attempt wanted="$PG_PORT"
        for attempt in 1 2 3 4 5; do
            PG_PORT="$(first_free_port "$PG_PORT")"
            if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
                    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
                break
            fi
            if [ "$attempt" = 5 ] || ! tail -n 20 "$PG_DIR/server.log" | grep -q "Address already in use"; then
                tail -n 20 "$PG_DIR/server.log"
                return 1
            fi
            PG_PORT=$((PG_PORT + 1))
        done
        if [ "$PG_PORT" != "$wanted" ]; then
            echo "Port $wanted is taken: this PostgreSQL cluster listens on $PG_PORT." >&2
        fi
    fi
    _pg_as_owner "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -tAq -c \
        "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER_ROLE') THEN CREATE ROLE $PG_USER_ROLE LOGIN SUPERUSER; END IF; END\$\$;" \
        >/dev/null
}

pg_stop() {
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
}

odoo_addons_path() {
    # The addons of the installed Odoo (a source install keeps them beside the
    # odoo package) plus this repository's addon folder.
    local repo="$1"
    python3 - "$repo" <<'PY'
import os, sys
import odoo
src = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
paths = [p for p in (os.environ.get("ODOO_ADDONS_PATH", ""),) if p]
for candidate in (os.path.join(src, "addons"), os.path.join(os.path.dirname(odoo.__file__), "addons")):
    if os.path.isdir(candidate):
        paths.append(candidate)
# OCA addons installed from PyPI (queue_job) live in site-packages' odoo/addons.
import odoo.addons
for candidate in odoo.addons.__path__:
    if os.path.isdir(candidate) and candidate not in paths:
        paths.append(candidate)
paths.append(sys.argv[1])
print(",".join(paths))
PY
}

unmet_requirements() {
    # Prints the lines of requirements file $1 that the installed packages do
    # not satisfy (missing, or outside the tested majors); nothing when all are met.
    python3 - "$1" <<'PY'
import sys
from importlib import metadata
from packaging.requirements import Requirement
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    req = Requirement(line)
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        print(line)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        print(f"{line} (installed: {version})")
PY
}

ensure_requirements() {
    # requirements.txt, installed when a package is missing or outside its bounds.
    local repo="$1" unmet
    unmet="$(unmet_requirements "$repo/requirements.txt")"
    if [ -n "$unmet" ]; then
        echo "Installing the requirements (requirements.txt): $(echo "$unmet" | tr '\n' ' ')"
        python3 -m pip install -q -r "$repo/requirements.txt"
    fi
}

ensure_odoo_addons() {
    # The OCA addons of requirements-odoo.txt (queue_job, sale_automatic_workflow),
    # once Odoo is importable: before anything installs the addon (the benchmark too).
    local repo="$1" unmet
    unmet="$(unmet_requirements "$repo/requirements-odoo.txt")"
    if [ -n "$unmet" ]; then
        echo "Installing the OCA addons (requirements-odoo.txt): $(echo "$unmet" | tr '\n' ' ')"
        python3 -m pip install -q -r "$repo/requirements-odoo.txt"
    fi
}

write_odoo_conf() {
    # write_odoo_conf FILE REPO [extra lines...]
    local conf="$1" repo="$2"; shift 2
    {
        echo "[options]"
        echo "addons_path = $(odoo_addons_path "$repo")"
        echo "db_host = 127.0.0.1"
        echo "db_port = $PG_PORT"
        echo "db_user = $PG_USER_ROLE"
        echo "db_password = False"
        echo "data_dir = $PG_DIR/odoo-data"
        for line in "$@"; do echo "$line"; done
    } >"$conf"
}

# What the Odoo tier and the developer's loop install: the addon; base_vat, so
# the tests prove a tax number Odoo's VAT check rejects does not fail an
# import; Odoo's Turkish e-invoicing (Nilvera), which Turkish merchants run
# beside it and which must send the invoices the workflows post; mrp
# (Manufacturing), so the kits bridge omnitron_order_webhook_mrp installs
# itself (auto_install) and its tests run beside the addon's.
TEST_MODULES="omnitron_order_webhook,base_vat,l10n_tr_nilvera_einvoice,mrp"

create_merchant_db() {
    # create_merchant_db CONF DB LOG MODULES [odoo options...]
    # A database as our merchants run it: the main company Turkish (country
    # TR, currency TRY, Odoo's Turkish chart of accounts l10n_tr loaded), then
    # MODULES (comma-separated) installed. In three runs, because Odoo loads a
    # chart once the registry is ready: the addon's data (its demo tax) must
    # find the chart already there.
    local conf="$1" db="$2" log="$3" modules="$4"; shift 4
    local tools
    tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    : >"$log"
    python3 -m odoo -c "$conf" -d "$db" -i base --stop-after-init --log-level=warn "$@" >>"$log" 2>&1 \
        && python3 "$tools/turkish_company.py" "$conf" "$db" prepare >>"$log" 2>&1 \
        && python3 -m odoo -c "$conf" -d "$db" -i l10n_tr --stop-after-init --log-level=warn "$@" >>"$log" 2>&1 \
        && python3 "$tools/turkish_company.py" "$conf" "$db" check >>"$log" 2>&1 \
        && python3 -m odoo -c "$conf" -d "$db" -i "$modules" --stop-after-init --log-level=warn "$@" >>"$log" 2>&1
}

mark_sample_rate() {
    # mark_sample_rate CONF DB: the spec's sample is taxed at 8 %, which today's
    # Turkish chart lacks; mark a tax for it as bin/run's demo data does (a
    # price-included copy of the chart's 10 % sale tax with amount 8).
    local conf="$1" db="$2"
    python3 -m odoo shell -c "$conf" -d "$db" --log-level=warn --no-http >/dev/null 2>&1 <<'PY'
env["account.tax"]._omnitron_install_demo_tax()
env.cr.commit()
PY
}
