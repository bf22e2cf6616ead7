#!/bin/bash
# A whole fleet on this (GPU) machine: `hyperfleet server` on the packed Redis and PostgreSQL, one
# `hyperfleet agent --gpus all --pool gpu`, and a sweep submitted with `--bundle --untracked include`; waits for
# the sweep and leaves the logs, `sweep show` and `agent ls` in OUT_DIR.
#
#   [WORK=/tmp/hf RPORT=6379 PPORT=5432 APORT=7070] DIR/fleet.sh examples/torch-gpu/sweep.yaml OUT_DIR
set -u
SWEEP=$(readlink -f "$1"); OUTD=$(mkdir -p "$2" && readlink -f "$2"); APORT=${APORT:-7070}
source "$(dirname "$0")/servers.sh"
hf() { "$NODE" "$W/cli/hyperfleet.mjs" "$@"; }
AT=adm$RANDOM$RANDOM; WT=wrk$RANDOM$RANDOM; ST=sub$RANDOM$RANDOM
SERVER=http://127.0.0.1:$APORT
HYPERFLEET_TOKENS="admin:$AT,worker:$WT,submit:$ST" "$NODE" "$W/cli/hyperfleet.mjs" server \
  --redis "redis://127.0.0.1:$RPORT" --store "postgres://postgres@127.0.0.1:$PPORT/postgres" --port "$APORT" \
  --host 127.0.0.1 > "$OUTD/server.log" 2>&1 &
trap "kill $! 2>/dev/null" EXIT
python3 - "$SERVER" <<'PY' || { cat "$OUTD/server.log"; exit 1; }
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1] + '/healthz', timeout=1); sys.exit(0)
    except Exception: time.sleep(0.2)
sys.exit('the server did not come up')
PY
HYPERFLEET_TOKEN=$WT hf agent --server "$SERVER" --gpus all --pool gpu --exit-when-idle 20 --work-dir "$W/agent-runs" \
  > "$OUTD/agent.log" 2>&1 &
AGENT=$!
cd "$(dirname "$SWEEP")" || exit 1
HYPERFLEET_TOKEN=$ST hf sweep submit "$SWEEP" --server "$SERVER" --bundle --untracked include --json > "$OUTD/submit.json" ||
  { cat "$OUTD/submit.json"; exit 1; }
ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sweep"]["id"])' "$OUTD/submit.json")
echo "sweep $ID submitted"
export HYPERFLEET_TOKEN=$AT
status() { hf sweep show "$ID" --server "$SERVER" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["sweep"]["status"])'; }
for i in $(seq 1 300); do
  [ "$i" = 4 ] && hf agent ls --server "$SERVER" > "$OUTD/agent-ls.txt" 2>&1
  [ "$(status)" != running ] && break
  sleep 1
done
hf sweep show "$ID" --server "$SERVER" | tee "$OUTD/sweep-show.txt"
hf sweep show "$ID" --server "$SERVER" --json > "$OUTD/sweep-show.json"
cat "$OUTD/agent-ls.txt"
FIRST=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["trials"][0]["id"])' "$OUTD/sweep-show.json")
hf logs "$FIRST" --server "$SERVER" > "$OUTD/first-trial.log" 2>&1
tail -3 "$OUTD/first-trial.log"
wait "$AGENT"
echo "agent exited $?"
