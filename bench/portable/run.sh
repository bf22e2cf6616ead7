#!/bin/bash
# The dispatch bench on this machine, with the servers pack.sh brought: $RUNS runs with the given flags.
#
#   [WORK=/tmp/hf RPORT=6379 PPORT=5432 RUNS=1] DIR/run.sh --split --rounds=5
set -u
source "$(dirname "$0")/servers.sh"
cd "$W/bench" || exit 1
for _ in $(seq 1 "${RUNS:-1}"); do
  "$NODE" fleet-dispatch.mjs "--redis=redis://127.0.0.1:$RPORT/0" "--pg=postgres://postgres@127.0.0.1:$PPORT/postgres" "$@"
done
