#!/usr/bin/env bash
# Regenerate each addon's i18n/<addon>.pot from what the code exports, and
# merge it into every translation (new terms come in untranslated, gone terms
# leave; translations already made are kept). Run it after changing a label or
# a translated message, then translate the new terms: the pure tier fails while
# tr.po misses one.
#
#   tools/update_translations.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_DIR="${OMNITRON_I18N_PG_DIR:-/tmp/omnitron-i18n-pg}"
PG_PORT="${OMNITRON_I18N_PG_PORT:-25435}"
DB=omnitron_i18n
# shellcheck source=pg.sh
source "$REPO/tools/pg.sh"
pg_stop
rm -rf "$PG_DIR"
pg_start
trap pg_stop EXIT
CONF="$PG_DIR/odoo.conf"
write_odoo_conf "$CONF" "$REPO"
# mrp brings the kits bridge (auto_install): both addons' terms are exported, each into its own i18n/.
python3 -m odoo -c "$CONF" -d "$DB" -i omnitron_order_webhook,mrp --without-demo=all --stop-after-init \
    --log-level=warn >"$PG_DIR/install.log" 2>&1 || { tail -n 40 "$PG_DIR/install.log"; exit 1; }
for ADDON in omnitron_order_webhook omnitron_order_webhook_mrp; do
    I18N="$REPO/$ADDON/i18n"
    python3 -m odoo -c "$CONF" -d "$DB" --modules="$ADDON" --i18n-export="$I18N/$ADDON.pot" \
        --language= --log-level=warn
    python3 - "$I18N" "$ADDON" <<'PY'
import pathlib, sys
import polib
i18n, addon = pathlib.Path(sys.argv[1]), sys.argv[2]
template = polib.pofile(str(i18n / f"{addon}.pot"))
for path in sorted(i18n.glob("*.po")):
    po = polib.pofile(str(path))
    po.merge(template)
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.save(str(path))
    print(f"{addon}/{path.name}: {len(po.untranslated_entries())} term(s) to translate")
PY
done
