#!/usr/bin/env bash
# Device run 11 (nvidia-h100-x2): the defaults chosen from run 10 (prefill gemm_wgmma_128x256,
# decode batches gemm_wgmma_128x128, split-KV attention on, swap-AB and wide GEMV off).
#   OUT=$OUT bash .device/cg9/run11.sh COMMIT
#   GPU 0: CudaBench.   GPU 1: the whole conformance suite, then CudaParity with the 7B case.
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
mkdir -p "$out/gpu0" "$out/gpu1"
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
"$here/java" -version > /dev/null 2>&1
( CUDA_VISIBLE_DEVICES=0 timeout 200 "$here/java" -Xmx24g dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" \
    "$here/files/vllm-profiles.csv" "$commit" 763.5 > "$out/gpu0/bench.log" 2>&1; echo "bench rc=$?" ) > "$out/gpu0.txt" 2>&1 &
( CUDA_VISIBLE_DEVICES=1 timeout 150 "$here/java" -Xmx16g org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --details-theme=ascii \
    --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
    --select-class dev.aegaeon.runtime.cuda.DecodeKernelsTest > "$out/gpu1/conformance.log" 2>&1; echo "conformance rc=$?"
  grep -E "tests (successful|failed|aborted)|\[X\]" "$out/gpu1/conformance.log" | head -20
  CUDA_VISIBLE_DEVICES=1 timeout 90 "$here/java" -Xmx64g dev.aegaeon.runtime.cuda.CudaParity "$out/parity-7b.json" true \
    > "$out/gpu1/parity-7b.log" 2>&1; echo "parity with 7B rc=$?"; grep -v WARNING "$out/gpu1/parity-7b.log" ) > "$out/gpu1.txt" 2>&1 &
wait
echo "== GPU 0 (bench)"; cat "$out/gpu0.txt"; grep -v "^ \|^{\|^}\|WARNING" "$out/gpu0/bench.log" | grep -E "prefill|^decode_ms|^figure|scaleup|cold|resident|kv_swap|decode batch +(1|64) \(step graph\)"
echo "== GPU 1 (conformance, parity)"; cat "$out/gpu1.txt"
