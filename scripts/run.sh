#!/usr/bin/env bash
# Prepare the SQLite database and demo data, then serve Daybook with gunicorn and a task worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ADDRESS="${DAYBOOK_ADDRESS:-127.0.0.1:8000}"

$BIN/python manage.py migrate --no-input
$BIN/python manage.py createcachetable
$BIN/python manage.py collectstatic --no-input --verbosity 0
$BIN/python manage.py seed_demo --address "http://$ADDRESS"

# A worker records a heartbeat, and takes back the tasks of a worker that died (docs/workers.md).
$BIN/python manage.py worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

# A page is almost all Python, which one process runs for one request at a time: a process
# per core uses every core, and threads within it only take turns, making every request they
# share slower (busy p95 1.2-1.7x idle with one thread, 1.7-2.8x with four: docs/scaling.md).
# The threaded worker even with one thread, for keep-alive connections.
$BIN/gunicorn daybook.wsgi --bind "$ADDRESS" --worker-class gthread \
  --workers "${DAYBOOK_WEB_WORKERS:-$(nproc)}" --threads "${DAYBOOK_WEB_THREADS:-1}" \
  --access-logfile - --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'
