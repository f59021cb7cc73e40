#!/usr/bin/env bash
# The restore test of docs/operations.md (issue 12 §9): on a scratch installation of its
# own (its own data folder; for PostgreSQL its own database), load the structure and the
# demo (uploaded papers included), then
#   manifest -> manage.py backup -> wipe database and media -> manage.py restore -> manifest
# and fail unless the row count of every table and the sha256 of every media file are
# the same before and after. Touches nothing of the real installation.
#
#   scripts/restore_test.sh sqlite
#   scripts/restore_test.sh postgres      # PostgreSQL on 127.0.0.1:5432 (PG* variables)
#
# PYTHON (default .venv/bin/python) runs manage.py. RESTORE_TEST_DEMO=0 skips the demo
# (faster; the structure and one uploaded paper only).
set -euo pipefail

cd "$(dirname "$0")/.."
DB_KIND=${1:-sqlite}
PYTHON=${PYTHON:-.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/halsam-restore-test.XXXXXX")
PG_DB=""
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}

cleanup() {
    if [[ -n "$PG_DB" ]]; then
        dropdb --if-exists --force "$PG_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A clean environment for manage.py: only what this test sets (no broker: eager tasks;
# no SMTP: console mail, sent to /dev/null below).
unset CELERY_BROKER_URL EMAIL_URL DJANGO_MEDIA_ROOT DJANGO_SETTINGS_MODULE
export HALSAM_DATA_DIR="$WORK/data" DJANGO_SETTINGS_MODULE=halsam.settings
MEDIA="$HALSAM_DATA_DIR/media"
case "$DB_KIND" in
    sqlite)
        unset DATABASE_URL ;;
    postgres)
        PG_DB="halsam_restore_test_$$"
        createdb "$PG_DB"
        export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT:-5432}/$PG_DB" ;;
    *)
        echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac
manage() { "$PYTHON" manage.py "$@"; }
# Set-up commands are chatty (the demo logs every task): their output goes to a file,
# shown only when they fail.
quiet() {
    if ! "$@" >"$WORK/setup.log" 2>&1; then
        tail -n 40 "$WORK/setup.log" >&2
        echo "restore test: set-up step failed: $*" >&2
        exit 1
    fi
}

echo "restore test ($DB_KIND): setting up in $WORK"
quiet manage migrate --no-input --verbosity 0
quiet manage load_structure halsam-vasternorrland
if [[ "${RESTORE_TEST_DEMO:-1}" != "0" ]]; then
    quiet manage demo
fi
# Files in nested folders, one of them empty, so that the media check has something
# to catch even without the demo.
mkdir -p "$MEDIA/restore-test/nested"
head -c 200000 /dev/urandom > "$MEDIA/restore-test/nested/paper.bin"
: > "$MEDIA/restore-test/empty.txt"

manage backup_manifest > "$WORK/before.json"
manage backup --to "$WORK/backups" --keep 2
BACKUP=$(find "$WORK/backups" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort | tail -n 1)

echo "restore test ($DB_KIND): wiping the database and the media folder"
case "$DB_KIND" in
    sqlite) rm -f "$HALSAM_DATA_DIR"/halsam.sqlite3* ;;
    postgres) psql -q -v ON_ERROR_STOP=1 -d "$PG_DB" \
                  -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" ;;
esac
rm -rf "$MEDIA"
manage backup_manifest > "$WORK/wiped.json"
if cmp -s "$WORK/before.json" "$WORK/wiped.json"; then
    echo "restore test: the wipe changed nothing; the test would prove nothing." >&2
    exit 1
fi

manage restore --from "$BACKUP" --yes
manage backup_manifest > "$WORK/after.json"
if ! diff -u "$WORK/before.json" "$WORK/after.json"; then
    echo "restore test ($DB_KIND): FAILED: the restored data differs (above)." >&2
    exit 1
fi
"$PYTHON" - "$WORK/after.json" "$DB_KIND" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
rows = sum(data["tables"].values())
print(f"restore test ({sys.argv[2]}): passed: {len(data['tables'])} tables, {rows} rows "
      f"and {len(data['media'])} media files are the same after backup, wipe and restore.")
EOF
