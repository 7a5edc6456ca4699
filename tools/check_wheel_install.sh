#!/usr/bin/env bash
# Proves the packaging: the wheels built from this repository (pip install .,
# and OMNITRON_ADDON=omnitron_order_webhook_mrp for the kits bridge) install
# into a fresh environment and Odoo installs the addon from there, the bridge
# coming with mrp by itself, with no addons_path entry for this repository.
# Run by .ci/run.
#
# The environment is a venv seeing the machine's packages (Odoo 18 itself is
# on no registry); the addon and its Python dependencies come from the wheel.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/omnitron-wheel-XXXXXX)"
chmod 755 "$WORK"  # the PostgreSQL server runs as "postgres" when we are root
PG_DIR="$WORK/pg"
PG_PORT="${OMNITRON_WHEEL_PG_PORT:-25436}"
# shellcheck source=pg.sh
source "$REPO/tools/pg.sh"
trap 'pg_stop; rm -rf "$WORK"' EXIT

python3 -m pip wheel -q --no-deps "$REPO" -w "$WORK/dist"
OMNITRON_ADDON=omnitron_order_webhook_mrp python3 -m pip wheel -q --no-deps "$REPO" -w "$WORK/dist"
python3 -m venv --system-site-packages "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WORK"/dist/*.whl
"$WORK/venv/bin/python" - <<'PY'
import importlib.metadata as md
import pathlib
import odoo.addons.omnitron_order_webhook as addon
import odoo.addons.omnitron_order_webhook_mrp as bridge
requires = md.requires("odoo-addon-omnitron_order_webhook")
assert "/venv/" in addon.__file__, addon.__file__
assert any(r.startswith("sentry-sdk") for r in requires), requires
print("wheel installed:", addon.__file__, requires)
bridge_requires = md.requires("odoo-addon-omnitron_order_webhook_mrp")
assert "/venv/" in bridge.__file__, bridge.__file__
assert any(r.startswith("odoo-addon-omnitron_order_webhook") for r in bridge_requires), bridge_requires
assert (pathlib.Path(bridge.__file__).parent / "i18n" / "tr.po").is_file(), "the bridge's translations"
print("kits bridge wheel installed:", bridge.__file__, bridge_requires)
PY

pg_start
# Only Odoo's own addons on the path: the addon must come from the wheel.
ODOO_ADDONS="$(python3 -c 'import odoo, os; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons"))')"
cat >"$WORK/odoo.conf" <<CONF
[options]
addons_path = $ODOO_ADDONS
db_host = 127.0.0.1
db_port = $PG_PORT
db_user = $PG_USER_ROLE
db_password = False
data_dir = $WORK/odoo-data
CONF
if ! "$WORK/venv/bin/python" -m odoo -c "$WORK/odoo.conf" -d omnitron_wheel -i omnitron_order_webhook,mrp \
        --without-demo=all --stop-after-init --log-level=warn >"$WORK/install.log" 2>&1 \
        || grep -E "ERROR|CRITICAL" "$WORK/install.log"; then
    tail -n 40 "$WORK/install.log"
    echo "Installing the addon from the wheel failed." >&2
    exit 1
fi
"$WORK/venv/bin/python" - "$PG_PORT" <<'PY'
import sys, psycopg2
with psycopg2.connect(host="127.0.0.1", port=sys.argv[1], user="odoo", dbname="omnitron_wheel") as cnx:
    cur = cnx.cursor()
    cur.execute(
        "SELECT name, state FROM ir_module_module"
        " WHERE name IN ('omnitron_order_webhook', 'omnitron_order_webhook_mrp')"
    )
    states = dict(cur.fetchall())
assert states == {"omnitron_order_webhook": "installed", "omnitron_order_webhook_mrp": "installed"}, states
print("Odoo installed the addon and, with mrp, its kits bridge from the wheels:", states)
PY
