#!/usr/bin/env bash
# Device run 9 (not yet run) (staged by device-pack.sh into .device/cg, this script copied beside it):
# the new prefill GEMM candidates (gemm_mma.cu, gemm_wgmma_sm90a.cu), each first proven alone in
# its own JVM (a kernel that faults poisons its CUDA context, so one JVM per candidate keeps the
# verdicts apart), then every kernel's TFLOP/s on the 7B products (GemmBench, which also checks
# each against the default kernel at full size), conformance, the bench (which times prefill 1024
# with every large tile left and keeps the fastest) and parity with the bench's fastest tile, all
# with the failed candidates switched off through aegaeon.cuda.excludeTiles.
#   .device/cg/run9-prefill.sh COMMIT
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1

new="gemm_mma_128x128_k64 gemm_mma_128x256_k64 gemm_mma_128x128_k32 gemm_wgmma_128x256 gemm_wgmma_128x128"
# Old candidates other than the default (gemm_128x128_k64), left out of the probes to save time.
others="gemm_128x128 gemm_128x256 gemm_256x128 gemm_128x256_k64"
failed=""
for t in $new; do
  ex=$(echo $new $others | tr ' ' '\n' | grep -vx "$t" | paste -sd, -)
  timeout 45 "$here/java" -Xmx16g -Daegaeon.cuda.excludeTiles="$ex" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-method 'dev.aegaeon.runtime.cuda.BackendConformanceTest#largeTileProducts(java.lang.String)' \
    > "$out/probe-$t.log" 2>&1
  rc=$?
  if grep -qE " $t \[OK\]" "$out/probe-$t.log"; then
    echo "probe $t: passed (rc=$rc)"
  elif grep -q "$t is not loaded" "$out/probe-$t.log"; then
    echo "probe $t: not loaded on this device"
  else
    echo "probe $t: FAILED (rc=$rc)"; grep -E "linear|Exception|Error" "$out/probe-$t.log" | head -5
    failed="${failed:+$failed,}$t"
  fi
done
grep -h "optional CUDA module" "$out"/probe-*.log | head -1
echo "excluded: ${failed:-none}"
flags=(-Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true -Daegaeon.cuda.excludeTiles="$failed")

# TFLOP/s of each kernel left on the 7B products (1,024 and 2,048 rows), each checked against the
# default kernel's output at full size.
timeout 90 "$here/java" -Xmx8g "${flags[@]}" dev.aegaeon.runtime.cuda.GemmBench gemm_128x128_k64 \
  > "$out/gemm.log" 2>&1; echo "gemm bench rc=$?"; grep -E "^gemm|MISMATCH|rror" "$out/gemm.log"
for t in $(grep MISMATCH "$out/gemm.log" | awk '{print $2}' | sort -u); do failed="${failed:+$failed,}$t"; done
echo "excluded: ${failed:-none}"
flags=(-Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true -Daegaeon.cuda.excludeTiles="$failed")

timeout 100 "$here/java" -Xmx16g "${flags[@]}" -Daegaeon.cuda.largeTile=gemm_128x128_k64 org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=summary --details-theme=ascii \
  --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
  > "$out/conformance.log" 2>&1; echo "conformance rc=$?"
grep -E "tests (successful|failed|aborted)|MethodSource|=>" "$out/conformance.log" | head -30

timeout 150 "$here/java" -Xmx24g "${flags[@]}" dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
  > "$out/bench.log" 2>&1; echo "bench rc=$?"; grep -v "^ \|^{\|^}" "$out/bench.log"

best=$(grep -o '"prefill_tile" *: *"[^"]*"' "$out/bench.json" 2>/dev/null | sed 's/.*"\([^"]*\)"$/\1/')
best=${best:-gemm_128x128_k64}
echo "parity with largeTile=$best"
timeout 25 "$here/java" -Xmx16g "${flags[@]}" -Daegaeon.cuda.largeTile="$best" dev.aegaeon.runtime.cuda.CudaParity "$out/parity.json" false \
  > "$out/parity.log" 2>&1; echo "parity rc=$?"; cat "$out/parity.log"
