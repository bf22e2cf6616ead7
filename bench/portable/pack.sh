#!/bin/bash
# Packs the dispatch bench and the CLI for a Linux x86-64 machine that has none of Node, Redis or PostgreSQL
# (python3 and root are enough): both bundled with esbuild, and this machine's node, redis-server and PostgreSQL
# with the libraries they load. Debian paths; the PostgreSQL JIT (LLVM) is left out.
#
#   bench/portable/pack.sh DIR    # then, there: DIR/run.sh [fleet-dispatch flags]   (the dispatch bench)
#                                 #          or: DIR/fleet.sh SWEEP.yaml OUT_DIR     (server + GPU agent + sweep)
set -euo pipefail
OUT=${1:?usage: bench/portable/pack.sh DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGV=$(ls /usr/lib/postgresql | sort -n | tail -1)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUT" "$STAGE/bench/node_modules/better-sqlite3/build/Release" "$STAGE/kit/bin" "$STAGE/kit/lib" "$STAGE/kit/pg" \
  "$STAGE/cli"

# The bench and its worker process, one file each; better-sqlite3 (a native addon) stays a module beside them.
bundle=(--bundle --platform=node --format=esm --target=node20 --log-level=warning --external:better-sqlite3
  --external:pg-native "--banner:js=import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);")
(cd "$ROOT" && npx esbuild bench/fleet-dispatch.ts "${bundle[@]}" --outfile="$STAGE/bench/fleet-dispatch.mjs")
(cd "$ROOT" && npx esbuild bench/fleet-dispatch-workers.ts "${bundle[@]}" --outfile="$STAGE/bench/fleet-dispatch-workers.mjs")
sed -i 's/fleet-dispatch-workers\.ts/fleet-dispatch-workers.mjs/' "$STAGE/bench/fleet-dispatch.mjs"
nm=$ROOT/node_modules
cp -r "$nm/better-sqlite3/lib" "$nm/better-sqlite3/package.json" "$STAGE/bench/node_modules/better-sqlite3/"
cp "$nm/better-sqlite3/build/Release/better_sqlite3.node" "$STAGE/bench/node_modules/better-sqlite3/build/Release/"
cp -r "$nm/bindings" "$nm/file-uri-to-path" "$STAGE/bench/node_modules/"
# The CLI (`hyperfleet`), run by its main() rather than through tsx.
printf "import { main } from '%s/apps/cli/src/main.ts';\nprocess.exitCode = await main(process.argv);\n" "$ROOT" \
  > "$STAGE/cli-entry.ts"
npx --prefix "$ROOT" esbuild "$STAGE/cli-entry.ts" "${bundle[@]}" --external:bufferutil --external:utf-8-validate \
  --outfile="$STAGE/cli/hyperfleet.mjs"
cp -r "$STAGE/bench/node_modules" "$STAGE/cli/"

# Servers: binaries, PostgreSQL's own libraries and share files (same layout, so it finds them), shared libraries.
cp /usr/bin/redis-server "$STAGE/kit/bin/"
mkdir -p "$STAGE/kit/pg/usr/lib/postgresql/$PGV" "$STAGE/kit/pg/usr/share/postgresql"
cp -r "/usr/lib/postgresql/$PGV/bin" "/usr/lib/postgresql/$PGV/lib" "$STAGE/kit/pg/usr/lib/postgresql/$PGV/"
cp -r "/usr/share/postgresql/$PGV" "$STAGE/kit/pg/usr/share/postgresql/"
rm -rf "$STAGE/kit/pg/usr/lib/postgresql/$PGV/lib/bitcode" "$STAGE/kit/pg/usr/lib/postgresql/$PGV/lib/"llvmjit*.so \
  "$STAGE/kit/pg/usr/share/postgresql/$PGV/man"
for f in /usr/bin/redis-server "/usr/lib/postgresql/$PGV/bin/"{postgres,initdb,pg_ctl} "$STAGE/kit/pg/usr/lib/postgresql/$PGV/lib/"*.so; do
  ldd "$f" | awk '$3 ~ /^\// {print $3}'
done | sort -u | grep -Ev '/(libc|libm|libstdc\+\+|libgcc_s|libdl|libpthread|librt)\.so' | xargs cp -L -t "$STAGE/kit/lib/"
cp /usr/share/zoneinfo/UTC "$STAGE/kit/"

xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > "$OUT/node.xz"
tar -C "$STAGE" -cJf "$OUT/bench.tar.xz" bench
tar -C "$STAGE" -cJf "$OUT/kit.tar.xz" kit
tar -C "$STAGE" -cJf "$OUT/cli.tar.xz" cli
cp "$(dirname "$0")/"{servers,run,fleet}.sh "$OUT/"
du -sh "$OUT"
