#!/usr/bin/env bash
# On the device, in one call: everything a GPU must show that the CPU machine cannot.
#   tests/bench/run-device-round.sh STAGE [OUT]      (STAGE from stage-gpu.sh; OUT default $OUT or ./device-round)
# 1. run-conformance.sh: the CUDA suite (with the CUDA sampling tests), the CUDA-vs-CPU parity and
#    the HF fixture parity (every greedy text of tests/fixtures/hf, the demo model's included);
# 2. the tokenizer references: HF tokenizers/transformers on this machine re-record
#    tests/fixtures/tokenizers/*/reference.json from the staged tokenizer files, and the committed
#    ones must be identical (the CPU machine recorded them with the same library versions).
# Run from the repository root. Exit 0 when every part passed.
set -uo pipefail
stage=${1:?usage: run-device-round.sh STAGE [OUT]}
out=${2:-${OUT:-./device-round}}
mkdir -p "$out"
stage=$(cd "$stage" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
rc=0

"$here/run-conformance.sh" "$stage" "$out/conformance" || rc=1

if [ -f "$stage/files/tokenizers.tar.xz" ]; then
  tok=$(mktemp -d)
  xz -dc "$stage/files/tokenizers.tar.xz" | tar -C "$tok" -x
  for ref in tests/fixtures/tokenizers/*/reference.json; do
    name=$(basename "$(dirname "$ref")")
    source=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"])' "$ref")
    python3 tests/fixtures/make_tokenizer_references.py --tokenizer-dir "$tok/tokenizers/$name" --name "$name" \
      --source "$source" --out "$out/tokenizer-$name.json" > "$out/tokenizer-$name.log" 2>&1
    if python3 - "$ref" "$out/tokenizer-$name.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
diff = [k for k in ("encode", "chat") if a.get(k) != b.get(k)]  # library versions are reported, not compared
print(f"tokenizer reference {a.get('tokenizer')}: device tokenizers {b.get('tokenizers')} transformers {b.get('transformers')}; "
      + ("identical" if not diff else "DIFFERENT in " + ", ".join(diff)))
sys.exit(1 if diff else 0)
PY
    then :; else rc=1; tail -3 "$out/tokenizer-$name.log"; fi
  done
else
  echo "tokenizer references: no staged tokenizers (build gpu-runtime before stage-gpu.sh)"; rc=1
fi
echo "run-device-round: $([ $rc = 0 ] && echo PASSED || echo FAILED)"
exit $rc
