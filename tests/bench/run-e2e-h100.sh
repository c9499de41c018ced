#!/usr/bin/env bash
# End to end on the device: the staged platform (tests/bench/stage-platform.sh) on the CUDA pool
# backend, driven over real HTTP by `aegaeon-bench.jar loadgen` for a list of N, one policy per call.
#
#   POLICY=aegaeon NS=2,4 tests/bench/run-e2e-h100.sh [STAGE]    (in the device tool, STAGE in carry)
#
# Environment (defaults in brackets):
#   POLICY [aegaeon]       aegaeon.pool.policy: aegaeon | request-level (also the results' label)
#   NS [2,4]               the N of this call, run in order in one loadgen process (fn0..fn{max-1}
#                          registered once; functions beyond the current N get no traffic)
#   POINT_SECONDS [180]    measured window per point;  DRAIN [120] bounded drain, then stragglers are cancelled
#   PAUSE [10]             seconds between points;     WARMUP [true] one unmeasured request per function first
#   SHAPE [qwen2.5-7b]     synthetic shape; MODEL_SEED [7] is the same for all functions (one host image)
#   MAX_SEQ [4096]         prompt + output clip;   SEED [1] trace seed;   RATE [0.1] req/s per function
#   MEMORY_BYTES [64000000000: the CUDA arena is 90% of free VRAM, ~71 GB on an H100, and each engine's KV pool and the
#                          workspaces live there too]  aegaeon.pool.memory-bytes;  KV_TOKENS [8192] aegaeon.pool.kv-tokens-per-model
#                          (each request reserves prompt + max_tokens of its model's pool: 4096 made long requests
#                          block their model, SIM-VS-MEASURED.md; 8192 x 57 KB = 470 MB per engine, use 6144 at N=12)
#   HEAP [24g]             platform -Xmx;   EXTRA_PROPS []  more -Dkey=value for the platform
#                          (memory on demand is the default since 2026-12-07: KV pages shared by every engine of the GPU
#                          and mapped as used, KV_TOKENS then only caps a model, 0 = no cap; older stages need
#                          -Daegaeon.cuda.deviceMemory=ON_DEMAND)
#   TOKEN_TIMES [false]    true: every token's arrival time per request in the JSON (larger files)
#   STAGE [.device/platform]  the staged launchers (or the first argument);  OUT [$OUT or ./e2e-out]  where results go
#   PORT [8080];  COMMIT [git HEAD];  READY_TIMEOUT [300];  DEVICE [cuda] (cpu for a rehearsal)
#   TRACE_DECISIONS [true] every scheduler event and the decisions it yielded in platform.log (DecisionTrace at DEBUG)
#   DASHBOARD_EVERY [60]   seconds between saved dashboard snapshots (the last 2 minutes of every device's
#                          timeline, OUT/e2e-POLICY/dashboard-T.json; render one here with platform/dashboard-replay.sh); 0: none
# Budget: a point takes about warm-up + POINT_SECONDS + the time to drain (up to DRAIN) + PAUSE;
# the device allows 600 s per command, so split NS over calls (e.g. 2,4 | 6,8 | 10,12 at 120 s).
# Writes OUT/e2e-POLICY/: loadgen-POLICY-nN.json, loadgen-POLICY.csv, loadgen.log, platform.log,
# gpu-monitor.csv (nvidia-smi each second), run.env; then packs everything but the loadgen JSON and CSV into
# OUT/e2e-POLICY/run-files.tar.gz, since the device tool brings back only a few files a call. Exit status: loadgen's (3 = a point had no
# successful request), or 2 when the platform did not become ready.
set -uo pipefail
policy=${POLICY:-aegaeon}
ns=${NS:-2,4}
stage=${1:-${STAGE:-.device/platform}}
port=${PORT:-8080}
root_out=${OUT:-./e2e-out}
out=$root_out/e2e-$policy
mkdir -p "$out"
data=$(mktemp -d /tmp/aegaeon-e2e-data.XXXXXX)
# The staged build's commit: the device's copy of the checkout may carry an older .git than the tree.
commit=${COMMIT:-$(cat "$stage/commit.txt" 2>/dev/null || git rev-parse --short HEAD 2>/dev/null || echo unknown)}
card=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
card=${card:-unknown (no nvidia-smi)}
case "$policy" in aegaeon|request-level) ;; *) echo "POLICY must be aegaeon or request-level" >&2; exit 2 ;; esac
env | grep -E '^(POLICY|NS|POINT_SECONDS|DRAIN|PAUSE|WARMUP|SHAPE|MODEL_SEED|MAX_SEQ|SEED|RATE|MEMORY_BYTES|KV_TOKENS|HEAP|EXTRA_PROPS)=' > "$out/run.env" || true
echo "card: $card; commit: $commit; policy: $policy; N: $ns" | tee -a "$out/run.env"

monitor_pid=
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 > "$out/gpu-monitor.csv" 2>/dev/null &
  monitor_pid=$!
fi
# One admin token for this run, given to the platform and to loadgen (which registers the functions).
AEGAEON_ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export AEGAEON_ADMIN_TOKEN
trace_prop=
[ "${TRACE_DECISIONS:-true}" = true ] && trace_prop='-Dquarkus.log.category."dev.aegaeon.worker.DecisionTrace".level=DEBUG'
# shellcheck disable=SC2086
"$stage/platform" -Xmx"${HEAP:-24g}" -Daegaeon.admin.token="$AEGAEON_ADMIN_TOKEN" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
  -Daegaeon.backend=pool -Daegaeon.pool.device="${DEVICE:-cuda}" -Daegaeon.pool.policy="$policy" \
  -Daegaeon.pool.memory-bytes="${MEMORY_BYTES:-64000000000}" -Daegaeon.pool.kv-tokens-per-model="${KV_TOKENS:-8192}" \
  -Daegaeon.kafka.enabled=false -Daegaeon.demo.enabled=false -Daegaeon.data-dir="$data" \
  ${trace_prop:+"$trace_prop"} ${EXTRA_PROPS:-} > "$out/platform.log" 2>&1 &
platform_pid=$!
dashboard_pid=
stop() {
  [ -n "$dashboard_pid" ] && kill "$dashboard_pid" 2>/dev/null
  kill "$platform_pid" 2>/dev/null && { for _ in $(seq 30); do kill -0 "$platform_pid" 2>/dev/null || break; sleep 1; done; kill -9 "$platform_pid" 2>/dev/null; }
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
  rm -rf "$data"
}
trap stop EXIT

# GET with curl when the machine has it, else bash's /dev/tcp (HTTP/1.0, so the server closes).
http_get() {
  if command -v curl >/dev/null; then curl -sf "http://127.0.0.1:$port$1"; return; fi
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  local status; IFS= read -r status <&3
  case "$status" in *" 200 "*) sed '1,/^\r\?$/d' <&3; exec 3<&-;; *) exec 3<&-; return 1;; esac
}
ready=0
for _ in $(seq "${READY_TIMEOUT:-300}"); do
  if ! kill -0 "$platform_pid" 2>/dev/null; then echo "platform exited:" >&2; tail -40 "$out/platform.log" >&2; exit 2; fi
  if http_get /q/health/ready >/dev/null 2>&1; then ready=1; break; fi
  sleep 1
done
[ "$ready" = 1 ] || { echo "platform not ready in ${READY_TIMEOUT:-300} s" >&2; tail -40 "$out/platform.log" >&2; exit 2; }
echo "platform ready"
every=${DASHBOARD_EVERY:-60}
if [ "$every" -gt 0 ] && command -v curl >/dev/null; then
  ( t=0; while sleep "$every"; do t=$((t + every))
      curl -sf -H "Authorization: Bearer $AEGAEON_ADMIN_TOKEN" "http://127.0.0.1:$port/admin/dashboard/snapshot?window=120" \
        > "$out/dashboard-$t.json" 2>/dev/null || rm -f "$out/dashboard-$t.json"
    done ) &
  dashboard_pid=$!
fi

"$stage/bench" loadgen --url "http://127.0.0.1:$port" --functions-list "$ns" --policy-label "$policy" \
  --seconds "${POINT_SECONDS:-180}" --drain "${DRAIN:-120}" --pause "${PAUSE:-10}" --warmup "${WARMUP:-true}" \
  --shape "${SHAPE:-qwen2.5-7b}" --model-seed "${MODEL_SEED:-7}" --max-seq "${MAX_SEQ:-4096}" --seed "${SEED:-1}" \
  --rate "${RATE:-0.1}" --token-times "${TOKEN_TIMES:-false}" --card "$card" --commit "$commit" --out "$out" 2>&1 | tee "$out/loadgen.log"
rc=${PIPESTATUS[0]}
http_get /q/metrics > "$out/metrics-final.txt" 2>/dev/null || true
stop; trap - EXIT
( cd "$out" && tar czf run-files.tar.gz --exclude 'loadgen-*' --exclude run-files.tar.gz -- * && find . -maxdepth 1 -type f \
    ! -name 'loadgen-*' ! -name run-files.tar.gz -delete )
echo "loadgen exit status $rc; results in $out"
exit "$rc"
