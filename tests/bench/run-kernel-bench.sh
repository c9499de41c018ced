#!/usr/bin/env bash
# On the device: the kernel/step benchmark (`BenchCli step`: 7B-shaped decode and prefill, per-kernel
# breakdown, tile and kernel comparisons, floors, scale-up) on GPU 0. When STAGE holds a baseline
# (stage-gpu.sh OUT BASELINE_COMMIT), the baseline runs first on the same card, then this tree, and
# a table sets their headline figures side by side.
#   tests/bench/run-kernel-bench.sh STAGE [OUT]       (OUT default $OUT or ./kernel-bench-out)
# Environment: MATMUL_TFLOPS [763.5] dense bf16 TFLOP/s of the card (prefill floor);
# SKIP [prefillAttentionMma] sections left out (the experimental kernel passes conformance but has never been timed).
set -uo pipefail
stage=${1:?usage: run-kernel-bench.sh STAGE [OUT]}
out=${2:-${OUT:-./kernel-bench-out}}
mkdir -p "$out"
stage=$(cd "$stage" && pwd)
. "$(dirname "$0")/find-cublaslt.sh"
tflops=${MATMUL_TFLOPS:-763.5}
skip=${SKIP:-prefillAttentionMma}
profiles=$stage/files/vllm-profiles.csv
commit=$(cat "$stage/files/commit.txt" 2>/dev/null || echo unknown)
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
headline() { grep -v "^ \|^{\|^}\|WARNING" "$1" | grep -E "prefill|^decode_ms|^figure|scaleup|kernel ms|rror|xception"; }

if [ -f "$stage/files/baseline-runtime.jar" ]; then
  base=$(cat "$stage/files/baseline-commit.txt")
  CUDA_VISIBLE_DEVICES=0 STAGE_CP_PREFIX="$stage/files/baseline-runtime.jar" timeout 280 "$stage/java" -Xmx24g \
    -Daegaeon.bench.skip="$skip" dev.aegaeon.runtime.cuda.CudaBench \
    "$out/bench-baseline.json" "$profiles" "$base" "$tflops" > "$out/bench-baseline.log" 2>&1
  echo "baseline $base bench rc=$?"; headline "$out/bench-baseline.log"
fi
CUDA_VISIBLE_DEVICES=0 timeout 280 "$stage/java" -Xmx24g dev.aegaeon.gpubench.BenchCli step --out "$out/bench.json" \
  --vllm-profiles "$profiles" --commit "$commit" --matmul-tflops "$tflops" --skip "$skip" > "$out/bench.log" 2>&1
rc=$?
echo "this tree ($commit) bench rc=$rc"; headline "$out/bench.log"
if [ -f "$out/bench-baseline.json" ] && [ -f "$out/bench.json" ]; then
  python3 - "$out/bench-baseline.json" "$out/bench.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(f"{'figure':34s} {'baseline':>10s} {'this tree':>10s} {'change':>8s}")
def row(name, x, y):
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x:
        print(f"{name:34s} {x:10.3f} {y:10.3f} {100 * (y - x) / x:+7.1f}%")
for k in ("decode_ms", "prefill_ms"):
    for n in (a.get(k) or {}):
        row(f"{k} {n}", a[k][n], (b.get(k) or {}).get(n))
for k in ("scaleup_s", "hbm_copy_gbps", "pinned_h2d_gbps"):
    row(k, a.get(k), b.get(k))
PY
fi
exit $rc
