#!/usr/bin/env bash
# On the device: the CUDA conformance suite, the CUDA-versus-CPU model parity (with the 7B shape)
# and the parity against HF's float32 logits (tests/fixtures/hf), with the shipped defaults.
#   tests/bench/run-conformance.sh STAGE [OUT]        (STAGE from stage-gpu.sh; OUT default $OUT or ./conformance-out)
# Run from the repository root (check_hf.py reads tests/fixtures/hf). Exit 0 when the suite and
# both parities passed. PARITY_WITH_7B=false leaves the 7B-shaped parity case out (the slowest:
# a 7B model on the CPU), to fit two modes into one device call.
set -uo pipefail
stage=${1:?usage: run-conformance.sh STAGE [OUT]}
out=${2:-${OUT:-./conformance-out}}
mkdir -p "$out"
stage=$(cd "$stage" && pwd)
. "$(dirname "$0")/find-cublaslt.sh"
nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
rc=0

timeout 300 "$stage/java" -Xmx16g dev.aegaeon.gpubench.BenchCli conformance --expect-gpu > "$out/conformance.log" 2>&1 || rc=1
echo "conformance: $(tail -1 "$out/conformance.log")"
grep -E '^\[(X|A|S)\]' "$out/conformance.log" | head -40
grep -E 'tests (found|successful|failed|aborted|skipped)' "$out/conformance.log"
gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')
if [ "${gpus:-0}" -ge 2 ]; then   # the classes that need two GPUs of one host (the KV hand-off between them)
  timeout 120 "$stage/java" -Xmx16g dev.aegaeon.gpubench.BenchCli conformance --multi-gpu --expect-gpu > "$out/conformance-multi.log" 2>&1 || rc=1
  echo "conformance on $gpus GPUs: $(tail -1 "$out/conformance-multi.log")"
fi

timeout 280 "$stage/java" -Xmx64g dev.aegaeon.gpubench.BenchCli parity --out "$out/parity.json" --with-7b "${PARITY_WITH_7B:-true}" > "$out/parity.log" 2>&1
prc=$?; [ $prc = 0 ] || rc=1
echo "parity against the CPU engine (rc=$prc):"; grep -v WARNING "$out/parity.log"

JAVA_LAUNCHER="$stage/java" HF_PARITY_NAME=parity-hf OUT="$out" timeout 150 python3 "$stage/files/check_hf.py" > "$out/parity-hf.log" 2>&1 || rc=1
echo "parity against HF's fixtures:"; cat "$out/parity-hf.log"
grep -q FAIL "$out/parity-hf.log" && rc=1
echo "run-conformance: $([ $rc = 0 ] && echo PASSED || echo FAILED)"
exit $rc
