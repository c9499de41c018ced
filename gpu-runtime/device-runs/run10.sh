#!/usr/bin/env bash
# Device run 10 (nvidia-h100-x2), staged like run 9: the run-9 kernels again, now that their
# conformance cases passed there (run 9's probe grep missed the quoted tile names and excluded them).
#   OUT=$OUT bash .device/cg9/run10.sh COMMIT
#   GPU 0: the small-tile conformance case alone (the swizzled kernels are now decode candidates
#          too; a failure is excluded), then CudaBench: prefill with every large tile, decode with
#          every small tile and the decode-kernel switches.
#   GPU 1: the whole conformance suite, then CudaParity (small models) with each wgmma tile as the
#          large tile, then the Qwen2.5-7B-shaped parity case with the defaults.
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
mkdir -p "$out/gpu0" "$out/gpu1"
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
"$here/java" -version > /dev/null 2>&1  # unpack the runtime once, before two JVMs race for it

gpu0() {
  CUDA_VISIBLE_DEVICES=0 timeout 90 "$here/java" -Xmx12g org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-method 'dev.aegaeon.runtime.cuda.BackendConformanceTest#smallTileProducts(java.lang.String)' \
    > "$out/gpu0/probe-small.log" 2>&1
  grep -E '\] tile = ' "$out/gpu0/probe-small.log"
  local ex; ex=$(grep -E '\] tile = "[^"]*" \[X\]' "$out/gpu0/probe-small.log" | sed 's/.*tile = "\([^"]*\)".*/\1/' | paste -sd, -)
  echo "excluded: ${ex:-none}"
  CUDA_VISIBLE_DEVICES=0 timeout 280 "$here/java" -Xmx24g -Daegaeon.cuda.excludeTiles="$ex" \
    dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
    > "$out/gpu0/bench.log" 2>&1; echo "bench rc=$?"; grep -v "^ \|^{\|^}\|WARNING" "$out/gpu0/bench.log"
}

gpu1() {
  CUDA_VISIBLE_DEVICES=1 timeout 170 "$here/java" -Xmx16g org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --details-theme=ascii \
    --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
    --select-class dev.aegaeon.runtime.cuda.DecodeKernelsTest > "$out/gpu1/conformance.log" 2>&1; echo "conformance rc=$?"
  grep -E "tests (successful|failed|aborted)|\[X\]|\[A\]" "$out/gpu1/conformance.log" | head -30
  for t in gemm_wgmma_128x256 gemm_wgmma_128x128; do
    CUDA_VISIBLE_DEVICES=1 timeout 45 "$here/java" -Xmx16g -Daegaeon.cuda.largeTile=$t \
      dev.aegaeon.runtime.cuda.CudaParity "$out/parity-$t.json" false > "$out/gpu1/parity-$t.log" 2>&1
    echo "parity largeTile=$t rc=$?"; grep -v WARNING "$out/gpu1/parity-$t.log"
  done
  CUDA_VISIBLE_DEVICES=1 timeout 150 "$here/java" -Xmx64g dev.aegaeon.runtime.cuda.CudaParity "$out/parity-7b.json" true \
    > "$out/gpu1/parity-7b.log" 2>&1; echo "parity with 7B rc=$?"; grep -v WARNING "$out/gpu1/parity-7b.log"
}

gpu0 > "$out/gpu0.txt" 2>&1 &
gpu1 > "$out/gpu1.txt" 2>&1 &
wait
echo "== GPU 0 (small-tile probe, bench)"; cat "$out/gpu0.txt"
echo "== GPU 1 (conformance, parity)"; cat "$out/gpu1.txt"
