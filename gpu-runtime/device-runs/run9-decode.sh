#!/usr/bin/env bash
# Device run 9 (not yet run): the decode kernels of DecodeKernels -- swap-AB tensor-core products
# for 9..128 rows (gemm_decode.cu, -Daegaeon.cuda.swapAbDecode, default true; its deep variants
# -Daegaeon.cuda.swapAbDeep, default false), decode attention split over keys (decode_attention.cu,
# -Daegaeon.cuda.splitKvDecode, default true) and the wide batch-1 GEMV (gemv.cu,
# -Daegaeon.cuda.gemvWide, default true).
# Staged like run 8 (device-pack.sh into .device/cg, this script copied beside it):
#   OUT=$OUT bash .device/cg/run9-decode.sh COMMIT
# 1. conformance with the new kernels on (their own cases force them on, the earlier kernels'
#    cases force them off), 2. parity with them on and off, 3. the bench, which prints every decode
#    batch with each new kernel on and off (decode_ms_step_graphs_new_kernels, decode_gemv_wide_vs_m1)
#    and the products' GB/s, swap-AB (base, deep) against the tiles (product_gbps_swapab_vs_tiles).
# If a new kernel fails its conformance case, switch it off for the rest with
#   NEW_KERNELS="-Daegaeon.cuda.swapAbDecode=false"  (and/or -Daegaeon.cuda.splitKvDecode=false,
#   -Daegaeon.cuda.gemvWide=false).
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
props="-Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true -Daegaeon.cuda.largeTile=gemm_128x128_k64 ${NEW_KERNELS:-}"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
timeout 150 "$here/java" -Xmx16g $props org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=summary --details-theme=ascii \
  --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
  --select-class dev.aegaeon.runtime.cuda.DecodeKernelsTest \
  > "$out/conformance.log" 2>&1; echo "conformance rc=$?"
grep -E "tests (successful|failed)|MethodSource|=>" "$out/conformance.log" | head -40
timeout 30 "$here/java" -Xmx16g $props dev.aegaeon.runtime.cuda.CudaParity "$out/parity.json" false \
  > "$out/parity.log" 2>&1; echo "parity (new kernels as set) rc=$?"; cat "$out/parity.log"
timeout 30 "$here/java" -Xmx16g $props -Daegaeon.cuda.swapAbDecode=false -Daegaeon.cuda.splitKvDecode=false -Daegaeon.cuda.gemvWide=false \
  dev.aegaeon.runtime.cuda.CudaParity "$out/parity-old-kernels.json" false \
  > "$out/parity-old-kernels.log" 2>&1; echo "parity (new kernels off) rc=$?"; cat "$out/parity-old-kernels.log"
timeout 200 "$here/java" -Xmx24g ${NEW_KERNELS:-} dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
  > "$out/bench.log" 2>&1; echo "bench rc=$?"; grep -v "^ \|^{\|^}" "$out/bench.log"
