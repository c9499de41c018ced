#!/usr/bin/env bash
# Device run 9 on two GPUs of one host (nvidia-h100-x2), staged like run 8 (.device/cg):
#   OUT=$OUT bash .device/cg/run9.sh COMMIT
# First run of the decode kernels (DecodeKernels: swap-AB products, split-KV attention, wide GEMV)
# and the prefill GEMM candidates (gemm_mma*, gemm_wgmma*). A faulting kernel poisons its CUDA
# context, so every new kernel is first proven alone in its own JVM (its conformance case); the
# ones that fail are switched off by property for everything after.
#   GPU 0: decode probes, then (after GPU 1's probes) CudaBench with every surviving kernel.
#   GPU 1: prefill probes, GemmBench, the whole conformance suite, CudaParity.
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
commit=${1:-unknown}
out=${OUT:-/tmp/out}
mkdir -p "$out/gpu0" "$out/gpu1"
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
"$here/java" -version > /dev/null 2>&1  # unpack the runtime once, before two JVMs race for it
base=(-Daegaeon.cuda.stepGraphs=16 -Daegaeon.cuda.fuseGemv=true)

probe() {  # probe GPU LOGNAME METHOD [JVM flags...]: 0 when the selected test method passes
  local gpu=$1 log=$2 method=$3; shift 3
  CUDA_VISIBLE_DEVICES=$gpu timeout 60 "$here/java" -Xmx12g "$@" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-method "dev.aegaeon.runtime.cuda.BackendConformanceTest#$method" > "$log" 2>&1
  grep -qE "[1-9][0-9]* tests successful" "$log" && grep -qE " 0 tests failed" "$log"
}

gpu0() {
  local off=""
  for m in "swapAbDecodeProducts(int,int,int,boolean)" "splitKvDecodeAttention(int,int,int,int,int)" "batchOneGemvKernels(boolean,int,int,boolean)"; do
    name=${m%%(*}
    if probe 0 "$out/gpu0/probe-$name.log" "$m" "${base[@]}"; then echo "probe $name: passed"
    else
      echo "probe $name: FAILED"; grep -E "=>|Exception|expected" "$out/gpu0/probe-$name.log" | head -6
      case $name in
        swapAbDecodeProducts) off="$off -Daegaeon.cuda.swapAbDecode=false" ;;
        splitKvDecodeAttention) off="$off -Daegaeon.cuda.splitKvDecode=false" ;;
        batchOneGemvKernels) off="$off -Daegaeon.cuda.gemvWide=false" ;;
      esac
    fi
  done
  echo "$off" > "$out/decode-off.txt"
  for _ in $(seq 150); do [ -f "$out/prefill-excluded.txt" ] && break; sleep 1; done
  local ex; ex=$(cat "$out/prefill-excluded.txt" 2>/dev/null)
  echo "bench with: $off -Daegaeon.cuda.excludeTiles=$ex"
  # shellcheck disable=SC2086
  CUDA_VISIBLE_DEVICES=0 timeout 260 "$here/java" -Xmx24g $off -Daegaeon.cuda.excludeTiles="$ex" \
    dev.aegaeon.runtime.cuda.CudaBench "$out/bench.json" "$here/files/vllm-profiles.csv" "$commit" 763.5 \
    > "$out/gpu0/bench.log" 2>&1; echo "bench rc=$?"; grep -v "^ \|^{\|^}\|WARNING" "$out/gpu0/bench.log"
}

gpu1() {
  local failed=""
  for t in gemm_mma_128x128_k64 gemm_mma_128x256_k64 gemm_mma_128x128_k32 gemm_wgmma_128x256 gemm_wgmma_128x128; do
    all="gemm_mma_128x128_k64 gemm_mma_128x256_k64 gemm_mma_128x128_k32 gemm_wgmma_128x256 gemm_wgmma_128x128 gemm_128x128 gemm_128x256 gemm_256x128 gemm_128x256_k64"
    ex=$(echo $all | tr ' ' '\n' | grep -vx "$t" | paste -sd, -)
    if probe 1 "$out/gpu1/probe-$t.log" "largeTileProducts(java.lang.String)" -Daegaeon.cuda.excludeTiles="$ex" \
       && grep -qE " $t \[OK\]" "$out/gpu1/probe-$t.log"; then echo "probe $t: passed"
    elif grep -q "$t is not loaded" "$out/gpu1/probe-$t.log"; then echo "probe $t: not loaded"; failed="${failed:+$failed,}$t"
    else echo "probe $t: FAILED"; grep -E "=>|Exception|expected" "$out/gpu1/probe-$t.log" | head -6; failed="${failed:+$failed,}$t"
    fi
  done
  CUDA_VISIBLE_DEVICES=1 timeout 90 "$here/java" -Xmx8g "${base[@]}" -Daegaeon.cuda.excludeTiles="$failed" \
    dev.aegaeon.runtime.cuda.GemmBench gemm_128x128_k64 > "$out/gpu1/gemm.log" 2>&1; echo "gemm bench rc=$?"
  grep -E "^gemm|MISMATCH|rror" "$out/gpu1/gemm.log"
  for t in $(grep MISMATCH "$out/gpu1/gemm.log" | awk '{print $2}' | sort -u); do failed="${failed:+$failed,}$t"; done
  echo "$failed" > "$out/prefill-excluded.txt"
  for _ in $(seq 100); do [ -f "$out/decode-off.txt" ] && break; sleep 1; done
  local off; off=$(cat "$out/decode-off.txt" 2>/dev/null)
  # shellcheck disable=SC2086
  CUDA_VISIBLE_DEVICES=1 timeout 200 "$here/java" -Xmx16g "${base[@]}" $off -Daegaeon.cuda.excludeTiles="$failed" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary --details-theme=ascii \
    --select-class dev.aegaeon.runtime.cuda.StepGraphsTest --select-class dev.aegaeon.runtime.cuda.BackendConformanceTest \
    --select-class dev.aegaeon.runtime.cuda.DecodeKernelsTest > "$out/gpu1/conformance.log" 2>&1; echo "conformance rc=$?"
  grep -E "tests (successful|failed|aborted)|MethodSource|=>" "$out/gpu1/conformance.log" | head -30
  # shellcheck disable=SC2086
  CUDA_VISIBLE_DEVICES=1 timeout 40 "$here/java" -Xmx16g "${base[@]}" $off -Daegaeon.cuda.excludeTiles="$failed" \
    dev.aegaeon.runtime.cuda.CudaParity "$out/parity.json" false > "$out/gpu1/parity.log" 2>&1; echo "parity rc=$?"
  cat "$out/gpu1/parity.log" | grep -v WARNING
}

gpu0 > "$out/gpu0.txt" 2>&1 &
gpu1 > "$out/gpu1.txt" 2>&1 &
wait
echo "== GPU 0 (decode probes, bench)"; cat "$out/gpu0.txt"
echo "== GPU 1 (prefill probes, GemmBench, conformance, parity)"; cat "$out/gpu1.txt"
