#!/usr/bin/env bash
# Proves that a PostgreSQL outage answers 503 (not 500) and that the app recovers
# by itself once the database is back, without restarting gunicorn.
#
#   scripts/outage_check.sh
#
# It runs gunicorn on a database of its own (donghanh_outage), stops the local
# cluster for a few seconds, and starts it again. Stopping the cluster interrupts
# every other use of it (other test runs) for that time: run it when nobody else
# needs PostgreSQL. The cluster is always started again on exit, even on failure.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${OUTAGE_PORT:-8765}"
BASE="http://127.0.0.1:${PORT}"
DB_NAME=donghanh_outage
PG_VERSION="$(ls /etc/postgresql | head -n1)"
LOG="$(mktemp -t outage-gunicorn.XXXXXX.log)"
GUNICORN_PID=""

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB_NAME}"
export DEBUG=false
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export ALLOWED_HOSTS=127.0.0.1
# Plain http on the loopback: no redirect to https for this check.
export SECURE_SSL_REDIRECT=false

cluster() {
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main "$1"
}

cleanup() {
    # Whatever happened, the cluster is running again and gunicorn is gone.
    if ! pg_lsclusters -h | awk '$2 == "main" {print $4}' | grep -q online; then
        echo "cleanup: starting the PostgreSQL cluster again"
        cluster start || true
    fi
    if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill "$GUNICORN_PID"
        wait "$GUNICORN_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

status_of() {
    curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}' "$BASE$1" || echo "000"
}

# N requests (so that every worker answers at least once), their statuses on one line.
statuses() {
    local path="$1" count="$2" out=""
    for _ in $(seq "$count"); do out+="$(status_of "$path") "; done
    echo "${out% }"
}

wait_for_200() {
    local path="$1" seconds="$2"
    for _ in $(seq $((seconds * 5))); do
        [[ "$(status_of "$path")" == "200" ]] && return 0
        sleep 0.2
    done
    return 1
}

echo "== setup: database ${DB_NAME}, gunicorn on ${BASE}"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$DB_NAME"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
.venv/bin/gunicorn deployment.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --timeout 30 \
    --access-logfile - >"$LOG" 2>&1 &
GUNICORN_PID=$!
wait_for_200 /healthz 20 || { echo "gunicorn did not start"; cat "$LOG"; exit 1; }

echo "== before the outage"
before_health="$(statuses /healthz 4)"
before_page="$(statuses /accounts/login/ 4)"
echo "healthz: ${before_health}"
echo "login page: ${before_page}"

echo "== stopping PostgreSQL"
outage_start=$(date +%s%N)
cluster stop
during_health="$(statuses /healthz 4)"
during_page="$(statuses /accounts/login/ 4)"
page_body="$(curl --silent --max-time 5 --dump-header - "$BASE/accounts/login/" || true)"
echo "healthz: ${during_health}"
echo "login page: ${during_page}"
echo "Retry-After header: $(grep -i '^retry-after:' <<<"$page_body" | tr -d '\r' | cut -d' ' -f2)"
grep -q 'class="site-header"' <<<"$page_body" && echo "503 page in the site layout: yes" || echo "503 page in the site layout: NO"
grep -q 'Traceback' <<<"$page_body" && echo "stack trace shown: YES" || echo "stack trace shown: no"

echo "== starting PostgreSQL again (gunicorn keeps running, pid ${GUNICORN_PID})"
cluster start
outage_end=$(date +%s%N)
recovered=yes
wait_for_200 /healthz 15 || recovered=no
recovery_end=$(date +%s%N)
after_health="$(statuses /healthz 6)"
after_page="$(statuses /accounts/login/ 6)"
echo "healthz: ${after_health}"
echo "login page: ${after_page}"
echo "gunicorn still the same process: $(kill -0 "$GUNICORN_PID" 2>/dev/null && echo yes || echo no)"
awk -v a="$outage_start" -v b="$outage_end" -v c="$recovery_end" 'BEGIN {
    printf "database stopped for %.1f s; healthz answered 200 again %.1f s after the restart\n", (b - a) / 1e9, (c - b) / 1e9
}'

echo "== result"
ok=true
[[ "$before_health $before_page" =~ ^(200 ?)+$ ]] || ok=false
[[ "$during_health $during_page" =~ ^(503 ?)+$ ]] || ok=false
[[ "$recovered" == yes && "$after_health $after_page" =~ ^(200 ?)+$ ]] || ok=false
if grep -q '" 500 ' "$LOG"; then echo "gunicorn logged a 500"; ok=false; fi
if $ok; then echo "PASS: 200 before, 503 during the outage, 200 after, no restart"; else echo "FAIL"; exit 1; fi
