#!/usr/bin/env bash
# On the device: the CUDA conformance suite and both parities (run-conformance.sh) once per kernel
# path, and which kernel images each run loaded:
#   auto     the card's own images (on an H100/H200: sm_90 SASS + the sm_90a wgmma module) and the
#            shipped defaults (products on cuBLASLt where found, prefill attention on tensor cores)
#   generic  -Daegaeon.cuda.kernelArch=GENERIC -Daegaeon.cuda.gemmLibrary=OWN: the compute_80 PTX
#            JIT-compiled by the driver, wgmma off, every product on our kernels: the code path of
#            A100, A10G, L4, L40S and RTX cards without cuBLASLt, proven on this card
#   own      the card's own images with our kernels only (gemmLibrary=OWN, prefillAttentionMma=false):
#            the oracle path, and the defaults before 2026-12-07
#   on-demand the card's own images with -Daegaeon.cuda.deviceMemory=ON_DEMAND named (the default since
#            2026-12-07e; for stages built before then)
#   one-allocation the card's own images with -Daegaeon.cuda.deviceMemory=ONE_ALLOCATION: the device's
#            memory as one allocation, the path of GPUs without virtual memory management
#   fast     cuBLASLt products and prefill attention on prefill_attention_mma.cu named explicitly (the
#            defaults since 2026-12-07; for stages built before then)
#   tests/bench/run-arch-check.sh STAGE [OUT] [MODE...]     (MODE auto|generic|own|on-demand|one-allocation|fast, default auto generic; OUT default $OUT or ./arch-check-out)
# BENCH=1 also runs the kernel bench (run-kernel-bench.sh) per mode and sets the headline figures
# side by side; CONFORMANCE=0 leaves the conformance runs out (the two benches fit one device call).
# Stage without a baseline (stage-gpu.sh OUT): an older runtime rejects kernelArch.
# One mode's conformance takes most of a device call; run the modes as separate calls when needed.
# Exit 0 when every mode passed and loaded the images it should.
set -uo pipefail
stage=${1:?usage: run-arch-check.sh STAGE [OUT] [MODE...]}
out=${2:-${OUT:-./arch-check-out}}
shift $(( $# >= 2 ? 2 : 1 ))
modes=("$@"); [ ${#modes[@]} -gt 0 ] || modes=(auto generic)
here=$(cd "$(dirname "$0")" && pwd)
# Generic mode JIT-compiles the PTX in every JVM (check_hf.py starts one per fixture and command);
# the driver's compute cache keeps the result, if it is large enough to hold all modules.
export CUDA_CACHE_MAXSIZE=${CUDA_CACHE_MAXSIZE:-2147483648}
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' ')
echo "GPU 0 compute capability: ${cc:-unknown}"
rc=0
for mode in "${modes[@]}"; do
  o=$out/$mode
  mkdir -p "$o"
  case "$mode" in
    auto) opts=${JAVA_TOOL_OPTIONS:-} ;;
    generic) opts="-Daegaeon.cuda.kernelArch=GENERIC -Daegaeon.cuda.gemmLibrary=OWN ${JAVA_TOOL_OPTIONS:-}" ;;
    own) opts="-Daegaeon.cuda.gemmLibrary=OWN -Daegaeon.cuda.prefillAttentionMma=false ${JAVA_TOOL_OPTIONS:-}" ;;
    on-demand) opts="-Daegaeon.cuda.deviceMemory=ON_DEMAND ${JAVA_TOOL_OPTIONS:-}" ;;
    one-allocation) opts="-Daegaeon.cuda.deviceMemory=ONE_ALLOCATION ${JAVA_TOOL_OPTIONS:-}" ;;
    fast) opts="-Daegaeon.cuda.gemmLibrary=CUBLASLT -Daegaeon.cuda.prefillAttentionMma=true ${JAVA_TOOL_OPTIONS:-}" ;;
    *) echo "unknown mode $mode (auto, generic, own, on-demand, one-allocation or fast)" >&2; exit 2 ;;
  esac
  echo "=== $mode ==="
  if [ "${CONFORMANCE:-1}" = 1 ]; then
    JAVA_TOOL_OPTIONS=$opts "$here/run-conformance.sh" "$stage" "$o" 2>&1 | tee "$o/run-conformance.out"
    [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  fi
  if [ "${BENCH:-0}" = 1 ]; then
    JAVA_TOOL_OPTIONS=$opts "$here/run-kernel-bench.sh" "$stage" "$o" > "$o/run-kernel-bench.out" 2>&1 || rc=1
    tail -20 "$o/run-kernel-bench.out"
  fi
  loaded=$(grep -ho 'kernel images: .*' "$o"/*.log 2>/dev/null | sort | uniq -c | sort -rn | head -3)
  echo "kernel images ($mode):"; echo "${loaded:-  none logged}"
  first=$(echo "$loaded" | head -1)
  if [ "$mode" = generic ]; then
    { echo "$first" | grep -q 'compute_80.fatbin' && ! echo "$first" | grep -q 'sm_90a'; } || { echo "FAIL: generic mode did not load the compute_80 PTX alone"; rc=1; }
  elif [ "$cc" = 9.0 ]; then  # every other mode loads the Hopper images
    echo "$first" | grep -q 'sm_90.fatbin' && echo "$first" | grep -q 'sm_90a.fatbin' || { echo "FAIL: $mode mode on 9.0 did not load sm_90 + sm_90a"; rc=1; }
  fi
done
if [ -f "$out/auto/bench.json" ] && [ -f "$out/generic/bench.json" ]; then
  python3 - "$out/auto/bench.json" "$out/generic/bench.json" <<'PY'
import json, sys
a, g = (json.load(open(p)) for p in sys.argv[1:3])
print(f"card: {a.get('card')}\n  auto:    {a.get('kernel_images')}\n  generic: {g.get('kernel_images')}")
print(f"{'figure':30s} {'auto':>10s} {'generic':>10s} {'generic/auto':>12s}")
def row(name, x, y):
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x:
        print(f"{name:30s} {x:10.3f} {y:10.3f} {y / x:12.2f}")
for k in ("hbm_copy_gbps", "pinned_h2d_gbps"):
    row(k, a.get(k), g.get(k))
for section in ("decode_ms", "prefill_ms"):
    for key, x in a.get(section, {}).items():
        row(f"{section} {key}", x, g.get(section, {}).get(key))
row("scaleup_s", a.get("scaleup_s"), g.get("scaleup_s"))
PY
fi
echo "run-arch-check: $([ $rc = 0 ] && echo PASSED || echo FAILED)"
exit $rc
