#!/usr/bin/env bash
# Stages the GPU benchmark jar (conformance, parity, kernel bench) for the device machine, which has
# CUDA but neither Java nor Maven:
#   tests/bench/stage-gpu.sh [OUT] [BASELINE_COMMIT]        (OUT default .device/gpu-bench)
# Build first: ./mvnw -B -o -q -pl tests/bench -am package -DskipTests
# OUT then holds the jlinked JRE, lib/aegaeon-gpu-bench.jar (gpu-runtime, its CUDA tests, the bench
# commands, JUnit) and files/: check_hf.py, vllm-profiles.csv and, with BASELINE_COMMIT, that
# commit's gpu-runtime classes and kernels as files/baseline-runtime.jar (built in a temporary worktree),
# so run-kernel-bench.sh times the baseline and this tree on the same card in the same call.
# Pass OUT in the device tool's `carry`; the travelling tree
# (tracked files + OUT) must stay under 64 MiB.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.device/gpu-bench}
baseline=${2:-}
jar=$root/tests/bench/target/aegaeon-gpu-bench.jar
jdk=${DEVICE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$jdk/bin:$PATH
[ -f "$jar" ] || { echo "build first: ./mvnw -B -o -q -pl tests/bench -am package -DskipTests" >&2; exit 2; }
shared=${SHARED:-$root/../shared}
[ -d "$shared/tools" ] || shared=$root/../../shared   # a worktree under wt/
profiles=${VLLM_PROFILES:-$shared/data/vllm-profiles.csv}
[ -f "$profiles" ] || profiles=$root/tests/src/main/resources/dev/aegaeon/sim/vllm-profiles.csv
extra=("$root/tests/bench/check_hf.py" "$profiles")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "$baseline" ]; then
  git -C "$root" worktree add --detach "$work/baseline" "$baseline" >/dev/null
  (cd "$work/baseline" && ./mvnw -B -o -q -pl gpu-runtime -am package -DskipTests >/dev/null)
  # Only the baseline's own classes and kernels: the libraries are those of the fat jar, which follows
  # it on the class path (run-kernel-bench.sh), so its classes win where names collide.
  (cd "$work/baseline/gpu-runtime/target/classes" && jar cf "$work/baseline-runtime.jar" .)
  git -C "$root" worktree remove --force "$work/baseline"
  echo "$baseline" > "$work/baseline-commit.txt"
  extra+=("$work/baseline-runtime.jar" "$work/baseline-commit.txt")
fi
rm -rf "$out"
"$shared/tools/device-pack.sh" --out "$out" "$jar" "${extra[@]}"
git -C "$root" rev-parse --short HEAD > "$out/files/commit.txt"
