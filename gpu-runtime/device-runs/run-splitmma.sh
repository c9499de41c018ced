#!/usr/bin/env bash
# Device run for the tensor-core split decode attention (decode_attention_mma.cu,
# -Daegaeon.cuda.splitKvMma, default false). Not yet run. Staged like run 9 (device-pack.sh into
# .device/cg, this script copied beside it):  OUT=$OUT bash .device/cg/run-splitmma.sh COMMIT
# 1. the split attention's conformance cases (shuffle kernels and mma pass), 2. parity with the
# mma pass on, 3. the bench: decode_attention_split_us (the attention alone, 7B shape x 512 keys,
# mma off/on) and decode_ms_step_graphs_split_kv_mma (decode steps, mma off/on).
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
timeout 150 "$here/java" -Xmx16g org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=tree --details-theme=ascii \
  --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest --include-methodname '.*splitKv.*' \
  > "$out/conformance.log" 2>&1; echo "conformance rc=$?"
grep -E "tests (successful|failed)|=>|\[X\]" "$out/conformance.log" | head -40
timeout 30 "$here/java" -Xmx16g -Daegaeon.cuda.splitKvMma=true dev.aegaeon.runtime.cuda.CudaParity "$out/parity-mma.json" false \
  > "$out/parity-mma.log" 2>&1; echo "parity (splitKvMma on) rc=$?"; cat "$out/parity-mma.log"
timeout 240 "$here/java" -Xmx24g dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
  > "$out/bench.log" 2>&1; echo "bench rc=$?"; grep -E "splitKvMma|floors" "$out/bench.log"
