#!/usr/bin/env bash
# A developer's loop on the Odoo tier, keeping its database between runs:
#
#   tools/dev_odoo_tier.sh [-u] [pytest args...]   # default: the whole Odoo tier
#   tools/dev_odoo_tier.sh --stop                  # stop the cluster
#
# The first run builds the database as bin/test does (a Turkish company on
# l10n_tr with TEST_MODULES of tools/pg.sh, the sample's 8 % tax marked); -u
# upgrades the addon first (after a change of fields, views or data). The
# same OMNITRON_TEST_* variables as bin/test choose the cluster, database and
# HTTP port, so two developers' loops can run side by side. bin/test stays
# the command that proves a change: it always starts from nothing.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PG_DIR="${OMNITRON_TEST_PG_DIR:-/tmp/omnitron-dev-pg}"
PG_PORT="${OMNITRON_TEST_PG_PORT:-25437}"
DB="${OMNITRON_TEST_DB:-omnitron_dev}"
HTTP_PORT="${OMNITRON_TEST_HTTP_PORT:-8071}"
# shellcheck source=pg.sh
source "$REPO/tools/pg.sh"
if [ "${1:-}" = "--stop" ]; then
    pg_stop
    exit 0
fi
ensure_odoo_addons "$REPO"
pg_start
CONF="$PG_DIR/odoo.conf"
write_odoo_conf "$CONF" "$REPO" "db_name = $DB" "dbfilter = ^${DB}\$" "http_interface = 127.0.0.1" \
    "http_port = $HTTP_PORT" "screenshots = $PG_DIR/screenshots"
if ! _pg_as_owner "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "Building database $DB (about two minutes)..."
    create_merchant_db "$CONF" "$DB" "$PG_DIR/install.log" "$TEST_MODULES" --without-demo=all \
        || { tail -n 60 "$PG_DIR/install.log"; exit 1; }
    mark_sample_rate "$CONF" "$DB"
elif [ "${1:-}" = "-u" ]; then
    echo "Upgrading omnitron_order_webhook (and its kits bridge) in $DB..."
    python3 -m odoo -c "$CONF" -d "$DB" -u omnitron_order_webhook,omnitron_order_webhook_mrp --stop-after-init --log-level=warn \
        >"$PG_DIR/update.log" 2>&1 || { tail -n 60 "$PG_DIR/update.log"; exit 1; }
    grep -E "ERROR|CRITICAL" "$PG_DIR/update.log" && { echo "The upgrade logged errors (above)."; exit 1; }
fi
[ "${1:-}" = "-u" ] && shift
[ $# -gt 0 ] || set -- omnitron_order_webhook/tests omnitron_order_webhook_mrp/tests
exec python3 -m pytest -o addopts="" -q -rs --odoo-database="$DB" --odoo-config="$CONF" --odoo-http "$@"
