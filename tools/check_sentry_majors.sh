#!/usr/bin/env bash
# The Sentry reports (tests/test_reporting.py) under the sentry-sdk major that
# requirements.txt allows but the machine does not have: bin/test proves the
# installed one, this the other, so both majors the bounds admit are tested.
# Run by .ci/run; a venv of its own, removed afterwards.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
installed="$(python3 -c 'import sentry_sdk; print(sentry_sdk.VERSION.split(".")[0])')"
case "$installed" in
    3) other="sentry-sdk>=2.0,<3" ;;
    2) other="sentry-sdk>=3.0,<4" ;;
    *) echo "sentry-sdk $installed is outside the tested majors (2, 3)" >&2; exit 1 ;;
esac
WORK="$(mktemp -d /tmp/omnitron-sentry-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$other" "pytest>=8,<10" "Werkzeug>=2.2,<4" "PyYAML>=6,<7" "polib>=1.1,<2" "hypothesis>=6,<7" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
echo "Sentry reports under $("$WORK/venv/bin/python" -c 'import sentry_sdk; print("sentry-sdk", sentry_sdk.VERSION)') (bin/test runs them under $installed.x):"
cd "$REPO"
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_reporting.py
