#!/usr/bin/env bash
# Device run 12 (nvidia-h100-x2), staged like runs 10-11 into .device/cg9:
#   OUT=$OUT bash .device/cg9/run12.sh COMMIT
# Run 11 made the wgmma tiles the defaults and the suite faulted (misaligned float2 split-K store,
# fixed in ce4031e); the defaults went back to gemm_128x128_k64 / gemm_64x64. This run selects the
# wgmma tiles by property everywhere, so a pass here is what lets them become the defaults again.
#   GPU 1: the whole conformance suite (incl. the new {33,257,18944} / {257,301,18944} tile cases),
#          then CudaParity with every model (tiny models reach the small tile at 24-40 rows and the
#          large tile at 200; the 7B case's 6-token prompt stays on the GEMV).
#   GPU 0: CudaBench, then GemmBench (the new kernels' TFLOP/s per 7B product; run 9 measured
#          only the old tiles).
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
mkdir -p "$out/gpu0" "$out/gpu1"
tiles=(-Daegaeon.cuda.largeTile=gemm_wgmma_128x256 -Daegaeon.cuda.smallTile=gemm_wgmma_128x128 -Daegaeon.cuda.midTile=gemm_wgmma_128x128)
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
"$here/java" -version > /dev/null 2>&1  # unpack the runtime once, before two JVMs race for it

gpu0() {
  CUDA_VISIBLE_DEVICES=0 timeout 280 "$here/java" -Xmx24g "${tiles[@]}" dev.aegaeon.runtime.cuda.CudaBench \
    "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 > "$out/gpu0/bench.log" 2>&1
  echo "bench rc=$?"
  CUDA_VISIBLE_DEVICES=0 timeout 120 "$here/java" -Xmx8g "${tiles[@]}" dev.aegaeon.runtime.cuda.GemmBench \
    gemm_128x128_k64 > "$out/gpu0/gemm.log" 2>&1
  echo "gemm bench rc=$?"
}

gpu1() {
  CUDA_VISIBLE_DEVICES=1 timeout 240 "$here/java" -Xmx16g "${tiles[@]}" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
    --select-class dev.aegaeon.runtime.cuda.DecodeKernelsTest > "$out/gpu1/conformance.log" 2>&1
  echo "conformance rc=$?"
  grep -E "\[X\]|\[A\]" "$out/gpu1/conformance.log" | head -40
  grep -E "tests (found|successful|failed|aborted|skipped)" "$out/gpu1/conformance.log"
  CUDA_VISIBLE_DEVICES=1 timeout 150 "$here/java" -Xmx64g "${tiles[@]}" dev.aegaeon.runtime.cuda.CudaParity \
    "$out/parity-7b.json" true > "$out/gpu1/parity-7b.log" 2>&1
  echo "parity with 7B rc=$?"; grep -v WARNING "$out/gpu1/parity-7b.log"
}

gpu0 > "$out/gpu0.txt" 2>&1 &
gpu1 > "$out/gpu1.txt" 2>&1 &
wait
echo "== GPU 0 (bench, GemmBench; tiles ${tiles[*]})"; cat "$out/gpu0.txt"
grep -v "^ \|^{\|^}\|WARNING" "$out/gpu0/bench.log" \
  | grep -E "prefill|^decode_ms|^figure|scaleup|cold|resident|kv_swap|kernel ms|decode batch +(1|64) \(step graph\)|rror|xception"
grep -E "^gemm|MISMATCH|rror|xception" "$out/gpu0/gemm.log"
echo "== GPU 1 (conformance, parity; tiles ${tiles[*]})"; cat "$out/gpu1.txt"
