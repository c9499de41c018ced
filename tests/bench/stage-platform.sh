#!/usr/bin/env bash
# Stages the built platform and the bench jar for the GPU device machine (no Java there) inside
# the device tool's 64 MiB carry limit:
#   tests/bench/stage-platform.sh [OUT]        (default .device/platform)
# Build first: ./mvnw -B -q package -DskipTests -Dno-embedded-kafka (the device runs use no broker, and
# the embedded one's jars would not fit). The device sends the whole tree with the carry (64 MiB): the
# stage is ~56 MB and the tracked files ~22 MB, so for the call move functions/models and tests/fixtures
# (neither is read by run-e2e-h100.sh) out of the checkout and restore them with git checkout after.
# On the device, pass OUT in `carry`, then:
#   OUT/platform [JVM-ARGS]    runs platform/target/quarkus-app/quarkus-run.jar
#   OUT/bench ARGS             runs tests/target/aegaeon-bench.jar (loadgen, simulate, ...)
#   OUT/java ARGS              the bare JRE
# Size: the quarkus-app is ~99 MB of deflated jars and a jlinked JRE ~26 MB, too much. So jars that
# bundle natives for every OS keep only linux x86_64, JCuda's unused PTX-compiler library goes, and
# every jar is re-stored uncompressed so one solid xz over everything (and an uncompressed jlink
# image) shrinks the lot to ~50 MB. The first launch unpacks into /tmp/aegaeon-stage.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.device/platform}
app=$root/platform/target/quarkus-app
bench=$root/tests/target/aegaeon-bench.jar
jdk=${DEVICE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$app/quarkus-run.jar" ] || { echo "build the platform first: ./mvnw -B -q package -DskipTests" >&2; exit 2; }
ls "$app"/lib/main/org.apache.kafka.kafka_2.13-*.jar >/dev/null 2>&1 && \
  echo "warning: the embedded Kafka broker is in the build; rebuild with -Dno-embedded-kafka to stay under the device's limit" >&2
[ -f "$bench" ] || { echo "build the bench jar first: ./mvnw -B -q package -DskipTests" >&2; exit 2; }
modules=java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,java.naming,java.net.http,java.xml,java.sql,jdk.crypto.ec,jdk.management,java.desktop,java.instrument,jdk.jfr,jdk.zipfs,jdk.naming.dns
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out"

# JRE: cached per module list; uncompressed modules so xz sees the classes.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/aegaeon-stage
key=$(echo "$modules" | md5sum | cut -c1-8)
mkdir -p "$cache"
if [ ! -f "$cache/jre-$key.tar.xz" ]; then
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$work/jre" 2>/dev/null
  tar -C "$work" -cf - jre | xz -9 -T2 > "$cache/jre-$key.tar.xz"
fi
cp "$cache/jre-$key.tar.xz" "$out/jre.tar.xz"

cp -r "$app" "$work/app"
cp "$bench" "$work/app/aegaeon-bench.jar"
lib=$work/app/lib/main
strip_jar() { # jar, then zip patterns to delete
  local jar=$1; shift
  [ -f "$jar" ] && zip -q -d "$jar" "$@" >/dev/null 2>&1 || true
}
strip_jar "$lib"/ai.djl.huggingface.tokenizers-*.jar 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*'
strip_jar "$lib"/com.github.luben.zstd-jni-*.jar 'aix/*' 'win/*' 'freebsd/*' 'darwin/*' 'linux/aarch64/*' 'linux/arm/*' \
  'linux/i386/*' 'linux/loongarch64/*' 'linux/mips64/*' 'linux/ppc64/*' 'linux/ppc64le/*' 'linux/riscv64/*' 'linux/s390x/*'
strip_jar "$lib"/org.xerial.snappy.snappy-java-*.jar 'org/xerial/snappy/native/Windows/*' 'org/xerial/snappy/native/Mac/*' \
  'org/xerial/snappy/native/AIX/*' 'org/xerial/snappy/native/SunOS/*' 'org/xerial/snappy/native/FreeBSD/*' \
  'org/xerial/snappy/native/Linux/s390x/*' 'org/xerial/snappy/native/Linux/ppc64*' 'org/xerial/snappy/native/Linux/aarch64/*' \
  'org/xerial/snappy/native/Linux/arm*' 'org/xerial/snappy/native/Linux/x86/*' 'org/xerial/snappy/native/Linux/riscv64/*' \
  'org/xerial/snappy/native/Linux/loongarch64/*'
strip_jar "$lib"/org.jcuda.jcuda-natives-*.jar 'lib/libJNvPTXCompiler-*'
# Re-store every jar uncompressed (same entries, same order); xz then compresses across them.
find "$work/app" -name '*.jar' -print0 | while IFS= read -r -d '' jar; do
  d=$(mktemp -d -p "$work")
  (cd "$d" && unzip -q -o "$jar" && rm -f "$jar" && zip -q -0 -r -X "$jar" .)
  rm -rf "$d"
done
tar -C "$work" -cf - app | xz -9 -T2 > "$out/app.tar.xz"

# The commit the stage was built from (+dirty when the tree had changes), for the results' labels.
{ git -C "$root" rev-parse --short HEAD; git -C "$root" diff --quiet HEAD -- . ':!.device' || echo "+dirty"; } 2>/dev/null | tr -d '\n' > "$out/commit.txt"
cat > "$out/env.sh" <<'ENV'
# Sourced by the launchers: unpacks the JRE and the app once per machine (or after a restage).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stage=${AEGAEON_STAGE:-/tmp/aegaeon-stage}
stamp=$(cat "$here/jre.tar.xz" "$here/app.tar.xz" | cksum | cut -d' ' -f1)
if [ "$(cat "$stage/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$stage" && mkdir -p "$stage"
  xz -dc "$here/jre.tar.xz" | tar -C "$stage" -xf -
  xz -dc "$here/app.tar.xz" | tar -C "$stage" -xf -
  echo "$stamp" > "$stage/.stamp"
fi
JAVA="$stage/jre/bin/java"
APP="$stage/app"
ENV
cat > "$out/java" <<'L'
#!/usr/bin/env bash
. "$(dirname "$0")/env.sh"; exec "$JAVA" "$@"
L
cat > "$out/platform" <<'L'
#!/usr/bin/env bash
. "$(dirname "$0")/env.sh"; exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$@" -jar "$APP/quarkus-run.jar"
L
cat > "$out/bench" <<'L'
#!/usr/bin/env bash
. "$(dirname "$0")/env.sh"; exec "$JAVA" --add-modules jdk.incubator.vector "$@"
L
sed -i 's|exec "$JAVA" --add-modules jdk.incubator.vector "$@"|exec "$JAVA" --add-modules jdk.incubator.vector -jar "$APP/aegaeon-bench.jar" "$@"|' "$out/bench"
chmod +x "$out/java" "$out/platform" "$out/bench"
du -sh "$out" "$out"/*.xz
