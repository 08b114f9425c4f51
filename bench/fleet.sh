#!/usr/bin/env bash
# A fleet on one machine (docs/operations.md, "Running a fleet"): three faceoff replicas (bench/lib.sh: the pod's
# JVM, k8s/base/config/application.yaml: the shipped experiment, the postgres gallery) sharing one PostgreSQL 15 +
# pgvector gallery and one Redis (feedback and experiment weights; append-only file, fsync always), behind HAProxy
# (deploy/haproxy/haproxy.cfg: health checks on readiness, retry on connect failure only), scraped by Prometheus
# (the replicas' /actuator/prometheus as the job "faceoff", HAProxy's /metrics as "haproxy", every 1 s, the
# repository's rules). It measures the fleet's capacity (closed loop, the call mix of bench/FleetLoad.java), checks
# the dashboard on it, then runs each scenario under an open-loop load of 70 % of it and asserts its expected result:
#   observability     after the capacity run: every replica up under the job and instances the dashboard groups by;
#                     each counting panel of observability/grafana/dashboards/faceoff.json, its aggregation over the
#                     counter, equals the sum of the three replicas' own /actuator/prometheus and the calls the load
#                     got answered (verify, feedback, identify, enrol); every rule evaluates cleanly
#   rolling restart   SIGTERM each replica in turn, wait until it is back in the load balancer: no call fails
#   killed replica    SIGKILL one replica with calls in flight: only calls sent before it was gone fail; a client retrying verify/identify once
#                     loses none; no face half-enrolled (every face has a template of every gallery model)
#   database restart  PostgreSQL down 10 s: verify never fails; gallery calls 503 store_unavailable meanwhile and
#                     successful from 5 s after it is back, no replica restarted; no acknowledged enrolment lost
#   redis restart     Redis killed (SIGKILL) and restarted 5 s later: verify never fails, feedback 503
#                     store_unavailable meanwhile, then counted; the weights unchanged; no acknowledged feedback lost
#   consistency       a subject enrolled through replica A is identified through B on the next request; a weight
#                     change through A is in effect on B within 1 s; a sticky key gets one variant on every replica;
#                     the experiment report equals the feedback the clients had acknowledged, exactly
# Every scenario's row: calls sent, answered (2xx, 404 of a feedback), refused (503 with Retry-After), failed
# otherwise, lost writes (acknowledged enrolments missing from the database + acknowledged feedback missing from the
# report), duration. A refusal (503 overloaded or store_unavailable, with Retry-After) is an answer, never a failure;
# verification is never refused for a store. Exit 0 only when every assertion held.
#
#   bench/fleet.sh [--short] [JAR]      (JAR: target/faceoff.jar)
# --short (FleetEndToEndTest, in mvn verify): every scenario and its assertions, with 8 s windows instead of 20 s,
# and the rolling restart restarts replica 1 alone (each restart is a JVM start, the slowest step on 2 cores).
#
# Needs: haproxy, redis-server, prometheus, PostgreSQL 15 with pgvector (bin/setup --test), java, curl, LFW in
# $FACEOFF_SHARED/datasets/lfw. Everything on 127.0.0.1, bounded in time (timeout), stopped on exit. Writes
# target/fleet/ (summary.md, the answer logs, every process's log).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$FACEOFF_ROOT"
short=no
if [[ ${1:-} == --short ]]; then short=yes; shift; fi
jar="$(realpath "${1:-$root/target/faceoff.jar}")"
lfw="$FACEOFF_SHARED/datasets/lfw/lfw-deepfunneled"
out="$root/target/fleet"
pgbin=/usr/lib/postgresql/15/bin
window=$([[ $short == yes ]] && echo 8 || echo 20)
rolled=$([[ $short == yes ]] && echo 1 || echo "1 2 3")   # the replicas the rolling restart restarts, in turn
say() { echo "fleet: $(date +%T) $*"; }
die() { echo "fleet: $*" >&2; exit 1; }

for tool in haproxy redis-server prometheus curl java javac; do command -v $tool >/dev/null || die "$tool missing (bin/setup --test)"; done
[[ -x $pgbin/initdb && -e /usr/share/postgresql/15/extension/vector.control ]] \
  || die "PostgreSQL 15 with pgvector missing (bin/setup --test)"
[[ -d $lfw ]] || die "LFW not found under $lfw"
[[ -f $jar ]] || die "$jar missing (mvn -B -o -q package -DskipTests)"
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d -t faceoff-fleet.XXXXXX)
chmod 755 "$work"
as_postgres=()
[[ $(id -u) == 0 ]] && as_postgres=(runuser -u postgres --)

pids=()             # background helpers (haproxy, redis, load) to stop on exit
replica_pid=(0 0 0 0)
read -r port1 port2 port3 pg_port redis_port lb_port stats_port prometheus_port < <(free_ports 8)
replica_port=(0 "$port1" "$port2" "$port3")
lb="http://127.0.0.1:$lb_port"
export FACEOFF_ADMIN_KEY=fleet-admin-key

cleanup() {
  local status=$? i
  trap - EXIT
  for i in 1 2 3; do [[ ${replica_pid[i]} != 0 ]] && kill -TERM "${replica_pid[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f $work/pg/data/postmaster.pid ]] && "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  for i in 1 2 3; do [[ ${replica_pid[i]} != 0 ]] && wait "${replica_pid[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  cp "$work"/*.log "$work"/pg/*.log "$out/" 2>/dev/null || true
  rm -rf "$work"
  ((status == 0)) || echo "fleet: FAILED (exit $status); logs in $out" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- PostgreSQL 15 + pgvector: durable (fsync on), as k8s/base/config/postgres-initdb.sh prepares it, with the
# StatefulSet's settings (buffers, autoprewarm)
pg_start() {
  "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w -t 30 \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c shared_preload_libraries=pg_prewarm" \
    start >/dev/null
}
psql_q() { "${as_postgres[@]}" psql -h 127.0.0.1 -p "$pg_port" -U postgres -d faceoff -At -c "$1"; }
mkdir -p "$work/pg"; [[ ${#as_postgres[@]} -gt 0 ]] && chown postgres "$work/pg"
"${as_postgres[@]}" "$pgbin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
pg_start
"${as_postgres[@]}" psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE faceoff LOGIN PASSWORD 'fleet'" -c "CREATE DATABASE faceoff OWNER faceoff"
psql_q "CREATE EXTENSION vector" >/dev/null
say "PostgreSQL 15 on 127.0.0.1:$pg_port"

# --- Redis: every acknowledged write in the append-only file before the answer (appendfsync always)
mkdir -p "$work/redis"
redis_start() {
  timeout 1800 redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" \
    --appendonly yes --appendfsync always >>"$work/redis.log" 2>&1 &
  redis_pid=$!; pids+=("$redis_pid")
  local i; for ((i = 0; i < 100; i++)); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  die "redis-server did not answer on $redis_port"
}
redis_start
say "Redis on 127.0.0.1:$redis_port (appendonly, fsync always)"

# --- three replicas: the deployment configuration, the stores above
replica_args=(--spring.config.additional-location="file:$root/k8s/base/config/application.yaml"
  --faceoff.gallery.postgres.url="jdbc:postgresql://127.0.0.1:$pg_port/faceoff" --faceoff.gallery.postgres.user=faceoff
  --faceoff.gallery.postgres.password=fleet
  --faceoff.feedback.store=redis --faceoff.experiments.shared-weights=redis
  --spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$redis_port"
  --faceoff.shutdown.readiness-delay=2s)   # HAProxy's checks (2 x 0.5 s) take a stopping replica out first
replica_launch() {   # i: in the background, as bench/lib.sh runs faceoff
  FACEOFF_GALLERY_STORE=postgres FACEOFF_GALLERY_DIR="$work/unused-gallery" FACEOFF_TIME_LIMIT=1800 \
    "$root/bench/lib.sh" exec "$jar" "${replica_port[$1]}" "${replica_args[@]}" >>"$work/replica$1.log" 2>&1 &
  replica_pid[$1]=$!
}
replica_wait() { wait_ready "http://127.0.0.1:${replica_port[$1]}/actuator/health/readiness" 300 "${replica_pid[$1]}"; }
replica_url() { echo "http://127.0.0.1:${replica_port[$1]}"; }
t0=$SECONDS
for i in 1 2 3; do replica_launch $i; done
for i in 1 2 3; do replica_wait $i || die "replica $i did not get ready (target/fleet/replica$i.log)"; done
say "3 replicas ready in $((SECONDS - t0)) s (ports ${replica_port[*]:1})"

# --- HAProxy
export FACEOFF_LB_BIND=127.0.0.1:$lb_port FACEOFF_LB_STATS=127.0.0.1:$stats_port
export FACEOFF_REPLICA_1=127.0.0.1:${replica_port[1]} FACEOFF_REPLICA_2=127.0.0.1:${replica_port[2]} \
  FACEOFF_REPLICA_3=127.0.0.1:${replica_port[3]}
timeout 1800 haproxy -db -f "$root/deploy/haproxy/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
lb_up() {   # how many replicas the load balancer has in service
  curl -fs "http://127.0.0.1:$stats_port/stats;csv" | awk -F, '$1 == "faceoff" && $2 ~ /^replica/ && $18 == "UP"' | wc -l
}
lb_wait() {   # N SECONDS: until N replicas are in service
  local deadline=$((SECONDS + $2))
  until [[ $(lb_up 2>/dev/null || echo 0) == "$1" ]]; do
    ((SECONDS < deadline)) || die "the load balancer did not reach $1 replicas up within $2 s"
    sleep 0.2
  done
}
lb_wait 3 30
say "HAProxy on 127.0.0.1:$lb_port, 3 replicas in service (stats: 127.0.0.1:$stats_port/stats)"

# --- Prometheus: the three replicas and HAProxy, the repository's rules. The actuator's prometheus endpoint is open
# (SecurityConfiguration; on Kubernetes it is on the management port, k8s/base/servicemonitor.yaml), so no credentials.
cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$root/observability/prometheus/rules/*.yml"]
scrape_configs:
  - job_name: faceoff
    metrics_path: /actuator/prometheus
    static_configs: [{targets: ["127.0.0.1:${replica_port[1]}", "127.0.0.1:${replica_port[2]}", "127.0.0.1:${replica_port[3]}"]}]
  - job_name: haproxy
    metrics_path: /metrics
    static_configs: [{targets: ["127.0.0.1:$stats_port"]}]
YAML
timeout 1800 prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$prometheus_port/-/ready" 60 "${pids[-1]}" || die "Prometheus did not get ready"
say "Prometheus on 127.0.0.1:$prometheus_port, scraping the 3 replicas and HAProxy every 1 s"

# --- load
javac -d "$work/load" "$root/bench/FleetLoad.java"
load() {   # NAME SECONDS MODE N [--retry]: in the background until SECONDS or load_stop; writes $out/NAME.jsonl
  timeout $(($2 + 180)) java -cp "$work/load" FleetLoad "$lb" "$lfw" "$out/$1.jsonl" "$2" "$3" "$4" "$1" "${@:5}" \
    --stop "$work/stop-$1" >>"$work/load.log" 2>&1 &
  load_pid=$!; load_name=$1; pids+=("$load_pid")
}
load_stop() { touch "$work/stop-$load_name"; wait "$load_pid" || die "the load generator failed ($out/load.log)"; }
report() { curl -fs --max-time 10 "$(replica_url ${1:-1})/v1/experiments/losses"; }
now_ms() { date +%s%3N; }
failures=0
table="$out/table.md"
{ echo "| scenario | requests sent | answered 200 | refused 503 + Retry-After | failed otherwise | lost writes | duration |"
  echo "|---|---|---|---|---|---|---|"; } >"$table"
verdict() {   # NAME [fleet.py options]: the row of the scenario that just ran
  local name=$1; shift
  psql_q "SELECT face_id, subject_id FROM gallery_face" | tr '|' ' ' >"$out/$name.faces"
  local half
  half=$(psql_q "SELECT count(*) FROM gallery_face f WHERE (SELECT count(*) FROM gallery_template t
    WHERE t.face_id = f.face_id) <> (SELECT count(*) FROM gallery_model)")
  report >"$out/$name.after.json"
  if /usr/bin/python3 "$root/bench/fleet.py" row "$name" "$out/$name.jsonl" --faces "$out/$name.faces" \
      --before "$out/$name.before.json" --after "$out/$name.after.json" --half-enrolled "$half" "$@" >>"$table"; then
    say "$name: passed"
  else
    say "$name: FAILED"; failures=$((failures + 1))
  fi
  tail -n 1 "$table"
}

say "capacity: closed loop, 4 clients, 10 s"
load capacity 10 closed 4
wait "$load_pid"
capacity=$(/usr/bin/python3 "$root/bench/fleet.py" capacity "$out/capacity.jsonl" 10)
rate=$(/usr/bin/python3 -c "print(f'{max(1.0, 0.7 * $capacity):.2f}')")
say "capacity $capacity calls/s; scenarios under $rate calls/s (70 %)"

# --- observability: the dashboard's totals on Prometheus = the replicas' own counters summed = the load's answers
# (no replica restarted yet: each counter is the replica's whole count)
name=observability
if /usr/bin/python3 "$root/bench/fleet.py" observability --prometheus "http://127.0.0.1:$prometheus_port" \
    --replicas "$(replica_url 1)" "$(replica_url 2)" "$(replica_url 3)" \
    --dashboard "$root/observability/grafana/dashboards/faceoff.json" --log "$out/capacity.jsonl" >>"$table"; then
  say "$name: passed"
else
  say "$name: FAILED"; failures=$((failures + 1))
fi
tail -n 1 "$table"

# --- rolling restart
name=rolling-restart
report >"$out/$name.before.json"
t0=$SECONDS
load $name 600 rate "$rate"   # until load_stop, after the last replica is back
sleep 2
for i in $rolled; do
  say "$name: SIGTERM replica $i"
  kill -TERM "${replica_pid[$i]}"
  wait "${replica_pid[$i]}" 2>/dev/null || true
  replica_launch $i
  replica_wait $i || die "replica $i did not come back"
  lb_wait 3 30
  say "$name: replica $i back in the load balancer"
done
sleep 2
load_stop
verdict $name
say "$name: $((SECONDS - t0)) s"

# --- killed replica: SIGKILL replica 2 under load; clients retry verify and identify once
name=killed-replica
report >"$out/$name.before.json"
load $name 600 rate "$rate" --retry
sleep $((window / 2))
busy=0   # kill at a moment the load balancer has calls in flight on replica 2 (its stats' scur), 10 s at most
for ((i = 0; i < 500; i++)); do
  busy=$(curl -fs "http://127.0.0.1:$stats_port/stats;csv" | awk -F, '$1 == "faceoff" && $2 == "replica2" {print $5}')
  ((${busy:-0} > 0)) && break
  sleep 0.02
done
jvm=$(pgrep -P "${replica_pid[2]}")   # the JVM, the child of timeout(1) (FACEOFF_TIME_LIMIT)
kill -KILL "$jvm"
wait "${replica_pid[2]}" 2>/dev/null || true
killed_at=$(now_ms)   # the JVM is gone (timeout(1) exits after it): a call sent later cannot be in flight on it
say "$name: SIGKILL replica 2 (JVM $jvm) with ${busy:-0} calls in flight on it"
! kill -0 "$jvm" 2>/dev/null || die "$name: replica 2's JVM survived SIGKILL"
sleep $((window / 2))
load_stop
verdict $name --killed-at "$killed_at"
replica_launch 2
replica_wait 2 || die "replica 2 did not come back"
lb_wait 3 30

# --- database restart: PostgreSQL stopped (immediate: as a crash) for 10 s, then started; no replica restarted
name=database-restart
report >"$out/$name.before.json"
before_pids="${replica_pid[*]}"
load $name 600 rate "$rate"
sleep 3
"${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null
down_at=$(now_ms)
say "$name: PostgreSQL stopped"
sleep 10
pg_start
up_at=$(now_ms)
say "$name: PostgreSQL started"
sleep $((window / 2 + 6))
load_stop
verdict $name --down-at "$down_at" --up-at "$up_at" --verify-always
for i in 1 2 3; do faceoff_alive "${replica_pid[$i]}" || { say "$name: FAILED: replica $i died"; failures=$((failures + 1)); }; done
[[ ${replica_pid[*]} == "$before_pids" ]] || { say "$name: FAILED: a replica was restarted"; failures=$((failures + 1)); }

# --- Redis restart: killed (SIGKILL) for 5 s, restarted on its append-only file
name=redis-restart
report >"$out/$name.before.json"
load $name 600 rate "$rate"
sleep 3
kill -KILL "$(pgrep -P "$redis_pid")"   # redis-server, the child of timeout(1)
wait "$redis_pid" 2>/dev/null || true
redis_down_at=$(now_ms)
! redis-cli -p "$redis_port" ping >/dev/null 2>&1 || die "$name: Redis still answers after SIGKILL"
say "$name: Redis killed"
sleep 5
redis_start
redis_up_at=$(now_ms)
say "$name: Redis restarted"
sleep $((window / 2 + 2))
load_stop
verdict $name --redis-down-at "$redis_down_at" --redis-up-at "$redis_up_at" --verify-always
for i in 1 2 3; do
  report "$i" >"$out/$name.replica$i.json"
  /usr/bin/python3 -c "import json, sys; a, b = (json.load(open(f))['weights'] for f in sys.argv[1:]); sys.exit(a != b)" \
    "$out/$name.before.json" "$out/$name.replica$i.json" \
    || { say "$name: FAILED: replica $i's weights changed"; failures=$((failures + 1)); }
done

# --- consistency: through the replicas themselves (A = 1, B = 2), then the report against every client's log
name=consistency
if /usr/bin/python3 "$root/bench/fleet.py" consistency "$(replica_url 1)" "$(replica_url 2)" "$(replica_url 3)" \
    --lfw "$lfw" --admin-key "$FACEOFF_ADMIN_KEY" --logs "$out"/*.jsonl >>"$table"; then
  say "$name: passed"
else
  say "$name: FAILED"; failures=$((failures + 1))
fi

echo
command="bench/fleet.sh"; [[ $short == yes ]] && command+=" --short"
{ echo "# A fleet on one machine ($command)"; echo
  echo "Three replicas behind HAProxy, one PostgreSQL, one Redis, Prometheus scraping the replicas; capacity $capacity"
  echo "calls/s (closed loop, 4 clients; the observability row: that run's calls, checked on the dashboard's totals),"
  echo "scenarios under $rate calls/s."; echo; cat "$table"; } | tee "$out/summary.md"
((failures == 0)) || die "$failures scenario(s) failed"
say "every scenario passed"
