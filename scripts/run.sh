#!/usr/bin/env bash
# `make run`: the web server and the worker (mail, reminders, certificate batches) side by
# side. Ctrl-C stops both (the worker finishes the job in hand first; a second Ctrl-C stops
# it at once, and the job is taken over by the next worker); when either one stops by
# itself, the other is stopped too. The script returns only when both are gone.
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
    trap - EXIT
    # A second Ctrl-C (or SIGTERM): a second SIGTERM, on which the worker stops at once.
    trap 'kill -TERM "$worker" 2>/dev/null' INT TERM
    # Background commands of a script ignore Ctrl-C's SIGINT: tell both to stop.
    kill -TERM "$web" "$worker" 2>/dev/null
    # A trapped signal ends `wait` early: wait again until each one is really gone.
    while kill -0 "$web" 2>/dev/null; do wait "$web" 2>/dev/null; done
    while kill -0 "$worker" 2>/dev/null; do wait "$worker" 2>/dev/null; done
}
trap stop INT TERM EXIT
wait -n "$web" "$worker"
