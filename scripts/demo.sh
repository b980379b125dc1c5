#!/usr/bin/env bash
# `make demo`: a synthetic ranch, imported, a run queued, a background worker, the dashboard.
# Everything lives in build/demo (its own database), so a real ranch is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
demo="$PWD/build/demo"
thumper=".venv/bin/thumper"
export THUMPER_DATABASE_URL="sqlite:///$demo/thumper.db"
# The demo's own state folder: its worker's pid and log files stay beside its database.
export XDG_STATE_HOME="$demo/state"

if [ ! -f "$demo/ranch/truth.json" ]; then
    echo "Generating a demo ranch (300 photos, 1920x1080) in $demo/ranch ..."
    "$thumper" synth --out "$demo/ranch" --images 300 --seed 7
fi
"$thumper" import "$demo/ranch"
pending=$("$thumper" status --json | .venv/bin/python -c \
    'import json, sys; s = json.load(sys.stdin); print(s["images"]["pending"] + s["images"]["failed"])')
if [ "$pending" -gt 0 ]; then mode=none; else mode=detections; fi
"$thumper" reprocess --clear-mode "$mode" --queue-only || true  # a run may be active already
"$thumper" worker --detach
echo "Opening the dashboard; q leaves it (the worker goes on; stop it with:"
echo "  XDG_STATE_HOME=$demo/state $thumper worker --stop)"
exec "$thumper"
