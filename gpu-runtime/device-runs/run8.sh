#!/usr/bin/env bash
# Device run 8 (not yet run) (staged by device-pack.sh into .device/cg, this script copied beside it):
# conformance (with step graphs on), step-graph equality, parity with step graphs, the bench.
#   .device/cg/run8.sh COMMIT
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
timeout 70 "$here/java" -Xmx16g -Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true -Daegaeon.cuda.largeTile=gemm_128x128_k64 org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=summary --details-theme=ascii \
  --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
  > "$out/conformance.log" 2>&1; echo "conformance rc=$?"
grep -E "tests (successful|failed)|MethodSource|=>" "$out/conformance.log" | head -30
timeout 25 "$here/java" -Xmx16g -Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true -Daegaeon.cuda.largeTile=gemm_128x128_k64 dev.aegaeon.runtime.cuda.CudaParity "$out/parity.json" false \
  > "$out/parity.log" 2>&1; echo "parity rc=$?"; cat "$out/parity.log"
timeout 140 "$here/java" -Xmx24g dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
  > "$out/bench.log" 2>&1; echo "bench rc=$?"; grep -v "^ \|^{\|^}" "$out/bench.log"
