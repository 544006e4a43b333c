#!/usr/bin/env bash
# `make run`: the web server and the worker (mail, reminders, certificate batches) side by
# side. Ctrl-C stops both (the worker finishes the job in hand first); when either one
# stops by itself, the other is stopped too.
# Usage: scripts/run.sh HOST PORT   (FLASK overrides the flask command)
set -u
FLASK=${FLASK:-.venv/bin/flask --app wsgi}
HOST=${1:-127.0.0.1}
PORT=${2:-5000}

$FLASK worker &
worker=$!
$FLASK run --host "$HOST" --port "$PORT" &
web=$!

stop() {
    trap - INT TERM EXIT
    # Background commands of a script ignore Ctrl-C's SIGINT: tell both to stop.
    kill -TERM "$web" "$worker" 2>/dev/null
    wait "$web" 2>/dev/null
    wait "$worker" 2>/dev/null
}
trap stop INT TERM EXIT
wait -n "$web" "$worker"
