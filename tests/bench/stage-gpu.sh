#!/usr/bin/env bash
# Stages the GPU benchmark jar (conformance, parity, kernel bench) for the device machine, which has
# CUDA but neither Java nor Maven:
#   tests/bench/stage-gpu.sh [OUT] [BASELINE_COMMIT]        (OUT default .device/gpu-bench)
# Build first: ./mvnw -B -o -q -pl tests/bench -am package -DskipTests
# OUT then holds the jlinked JRE (jre.tar.xz), lib.tar.xz with aegaeon-gpu-bench.jar (gpu-runtime,
# its CUDA tests, the bench commands, JUnit), the launcher `java` (STAGE/java MAIN ARGS) and files/: check_hf.py, vllm-profiles.csv and, with BASELINE_COMMIT, that
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
# The real tokenizers (fetched by gpu-runtime's build, never committed) for the reference check on the device.
if [ ! -d "$root/gpu-runtime/target/tokenizers" ]; then
  (cd "$root" && ./mvnw -B -o -q -pl gpu-runtime generate-test-resources >/dev/null) \
    || echo "stage-gpu: could not fetch the reference tokenizers; the device round will say so" >&2
fi
if [ -d "$root/gpu-runtime/target/tokenizers" ]; then
  tar -C "$root/gpu-runtime/target" -c tokenizers | xz -9 -T0 > "$work/tokenizers.tar.xz"
  extra+=("$work/tokenizers.tar.xz")
fi
rm -rf "$out"
"$shared/tools/device-pack.sh" --out "$out" "$jar" "${extra[@]}"
git -C "$root" rev-parse --short HEAD > "$out/files/commit.txt"
# Slim for the 64 MiB carry: xz packs an uncompressed runtime and uncompressed jars far tighter than
# it packs zip-compressed ones (the runtime 26 -> 16 MB, the jars 24 -> 13 MB); the launcher unpacks
# both once per machine.
slim_cache=${XDG_CACHE_HOME:-$HOME/.cache}/aegaeon-stage
mkdir -p "$slim_cache"
if [ ! -f "$slim_cache/jre-stored.tar.xz" ]; then
  tmp=$(mktemp -d)
  jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,java.naming,java.net.http,java.xml,java.sql,jdk.crypto.ec,jdk.management,java.desktop \
    --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output "$tmp/jre" 2>/dev/null
  tar -C "$tmp" -c jre | xz -9e -T0 > "$slim_cache/jre-stored.tar.xz"
  rm -rf "$tmp"
fi
cp "$slim_cache/jre-stored.tar.xz" "$out/jre.tar.xz"
out=$(cd "$out" && pwd)
stored=$(mktemp -d)
for j in "$out"/lib/*.jar; do
  mkdir -p "$stored/x" && (cd "$stored/x" && jar xf "$j") && jar --create --no-compress --file "$stored/$(basename "$j")" -C "$stored/x" . && rm -rf "$stored/x"
done
(cd "$stored" && tar -c ./*.jar) | xz -7 -T0 > "$out/lib.tar.xz"
rm -rf "$stored" "$out/lib"
cat > "$out/java" <<'LAUNCH'
#!/usr/bin/env bash
# Unpacks the runtime and the jars once per machine, then runs java with them
# (STAGE_CP_PREFIX, when set, goes before them on the class path: a baseline's classes win).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jre=/tmp/device-jre-stored
lib=/tmp/device-lib-$(cksum < "$here/lib.tar.xz" | cut -d' ' -f1)
if [ ! -x "$jre/jre/bin/java" ]; then mkdir -p "$jre" && xz -dc "$here/jre.tar.xz" | tar -C "$jre" -x; fi
if [ ! -d "$lib" ]; then mkdir -p "$lib.tmp" && xz -dc "$here/lib.tar.xz" | tar -C "$lib.tmp" -x && mv "$lib.tmp" "$lib"; fi
export DJL_CACHE_DIR=${DJL_CACHE_DIR:-/tmp/djl-cache} RUST_FLAVOR=${RUST_FLAVOR:-cpu}
exec "$jre/jre/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
  -cp "${STAGE_CP_PREFIX:+$STAGE_CP_PREFIX:}$lib/*" "$@"
LAUNCH
chmod +x "$out/java"
du -sh "$out" | awk '{print "slimmed " $2 ": " $1}'
