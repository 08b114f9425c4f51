#!/usr/bin/env bash
# The gallery's database right after a restart, with and without pg_prewarm's autoprewarm (docs/operations.md,
# "The gallery's database"): on a cluster bench/gallery.py filled and kept (/tmp/faceoff-gallery-bench/pg-SIZE),
# each way: start it with the StatefulSet's shared_buffers (512MB), 400 searches to warm it, stop it, drop the
# operating system's page cache (root only; without it the numbers say little, and the script says so), start it
# again and time 200 searches (dev.faceoff.gallery.PostgresRestartBench, test sources).
#   bench/pg-restart.sh [SIZE]     (default 100000; needs mvn -o -q test-compile and target/bench.classpath,
#                                   which bench/gallery.py writes)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
cluster=/tmp/faceoff-gallery-bench/pg-$size
pgbin=/usr/lib/postgresql/15/bin
embeddings=target/bench/gallery/real-mobilefacenet-faceplugin.f32
[[ -f $cluster/PG_VERSION && -f $embeddings && -f target/bench.classpath ]] \
  || { echo "pg-restart: run bench/gallery.py --sizes $size --stores postgres first (it keeps $cluster)" >&2; exit 2; }
as_postgres=(); [[ $(id -u) == 0 ]] && as_postgres=(runuser -u postgres --)
port=55432
classpath="target/classes:target/test-classes:$(cat target/bench.classpath)"
start() {   # $1: extra server options
  "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$cluster" -l "$cluster.log" -w -t 300 \
    -o "-p $port -k /tmp/faceoff-gallery-bench -c listen_addresses=127.0.0.1 -c shared_buffers=512MB $1" start >/dev/null
}
stop() { "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$cluster" -m fast -w stop >/dev/null; }
search() { java -cp "$classpath" dev.faceoff.gallery.PostgresRestartBench "jdbc:postgresql://127.0.0.1:$port/gallery" \
  "$embeddings" "$1" "$2" 2>/dev/null | grep '^searches'; }
trap 'stop 2>/dev/null || true' EXIT
for preload in "" "-c shared_preload_libraries=pg_prewarm"; do
  start "$preload"; search 400 1 >/dev/null; stop
  sync
  if ! { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
    echo "pg-restart: the page cache cannot be dropped here (not root): the restarted cluster reads from memory" >&2
  fi
  start "$preload"
  sleep 5   # autoprewarm's worker reads the blocks back meanwhile
  echo "after a restart, ${preload:-no autoprewarm}: $(search 200 2)"
  stop
done
trap - EXIT
