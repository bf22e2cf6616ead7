# Sourced by run.sh and fleet.sh: unpacks what pack.sh made into $W and starts Redis and PostgreSQL there
# (PostgreSQL as `nobody`: it refuses root). Sets W, NODE, RPORT, PPORT.
K=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=${WORK:-/tmp/hf}; RPORT=${RPORT:-6379}; PPORT=${PPORT:-5432}
mkdir -p "$W"
# python3 rather than xz or tar: a bare machine is likelier to have it.
python3 - "$K" "$W" <<'PY' || exit 1
import lzma, shutil, sys, tarfile
k, w = sys.argv[1], sys.argv[2]
with lzma.open(f'{k}/node.xz') as src, open(f'{w}/node', 'wb') as dst: shutil.copyfileobj(src, dst)
for t in ('kit', 'bench', 'cli'):
    with tarfile.open(f'{k}/{t}.tar.xz') as tf: tf.extractall(w)
PY
NODE=$W/node
chmod +x "$NODE"
# PostgreSQL reads time zones from the system's database.
[ -e /usr/share/zoneinfo/UTC ] || { mkdir -p /usr/share/zoneinfo && cp "$W/kit/UTC" /usr/share/zoneinfo/UTC; }
LIB=$W/kit/lib
LD_LIBRARY_PATH=$LIB "$W/kit/bin/redis-server" --daemonize yes --bind 127.0.0.1 --port "$RPORT" --save "" \
  --appendonly no --logfile "$W/redis.log" || exit 1
PGB=$(echo "$W"/kit/pg/usr/lib/postgresql/*/bin)
chown -R 65534:65534 "$W/kit/pg"; mkdir -p "$W/pgdata" && chown 65534:65534 "$W/pgdata" "$W"
asnobody() {
  python3 -c 'import os, sys; os.environ["LD_LIBRARY_PATH"] = sys.argv[1]; os.setgid(65534); os.setuid(65534); os.execv(sys.argv[2], sys.argv[2:])' "$LIB" "$@"
}
asnobody "$PGB/initdb" -D "$W/pgdata" -U postgres -A trust --no-sync -E UTF8 --locale=C > "$W/initdb.log" 2>&1 ||
  { cat "$W/initdb.log"; exit 1; }
asnobody "$PGB/pg_ctl" -D "$W/pgdata" -l "$W/pg.log" -o "-p $PPORT -k /tmp -c listen_addresses=127.0.0.1" -w start \
  > /dev/null || { cat "$W/pg.log"; exit 1; }
echo "$(nproc) CPUs, node $("$NODE" --version), Redis on $RPORT, PostgreSQL on $PPORT"
