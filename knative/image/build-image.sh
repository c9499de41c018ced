#!/usr/bin/env bash
# Builds the platform's container image as an OCI/Docker tarball without a Docker daemon and
# without pulling a base image (this build host reaches only Maven Central):
#   - the Java runtime is a jlink image of the build JDK (only the modules the platform needs),
#   - the C library and dynamic loader it links against are copied from this machine,
#   - the Quarkus fast-jar (platform/target/quarkus-app) is the application,
# and Jib (jib:buildTar, base image `scratch`) layers them into
# knative/target/aegaeon-platform-image.tar, named like the manifests (aegaeon/aegaeon-platform).
#
# Prerequisite: the platform is packaged:  ./mvnw -B -q -pl platform -am package -DskipTests
# Load or push the tarball with any OCI tool, e.g.  docker load -i knative/target/aegaeon-platform-image.tar
#                                                   skopeo copy docker-archive:knative/target/aegaeon-platform-image.tar docker://REGISTRY/aegaeon/aegaeon-platform:TAG
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
APP=$ROOT/platform/target/quarkus-app
OUT=$ROOT/knative/target/image-root
[ -f "$APP/quarkus-run.jar" ] || { echo "no $APP/quarkus-run.jar: package the platform first" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/opt" "$OUT/tmp" "$OUT/etc" "$OUT/var/lib/aegaeon"

# 1. Runtime: the JDK modules a Quarkus + Kafka-client application uses, plus the Vector API.
"$JAVA_HOME/bin/jlink" \
  --add-modules java.se,jdk.unsupported,jdk.incubator.vector,jdk.management,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns,jdk.localedata,jdk.jfr \
  --strip-debug --no-man-pages --no-header-files --compress zip-6 \
  --output "$OUT/opt/java"

# 2. Shared libraries the runtime links against (glibc, whose DNS and files NSS are built in
#    since 2.34) and the dynamic loader, copied as real files at their usual paths.
for lib in $(ldd "$OUT/opt/java/bin/java" "$OUT"/opt/java/lib/*.so "$OUT/opt/java/lib/server/libjvm.so" \
             | awk '/=> \// {print $3}' | sort -u); do
  case "$lib" in "$OUT"/*) continue ;; esac
  mkdir -p "$OUT$(dirname "$lib")"
  cp -L "$lib" "$OUT$lib"
done
mkdir -p "$OUT/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$OUT/lib64/"

# 3. A non-root user (uid 1001) for the JVM's user.name/user.home lookups.
printf 'root:x:0:0:root:/root:/sbin/nologin\naegaeon:x:1001:1001:aegaeon:/tmp:/sbin/nologin\n' > "$OUT/etc/passwd"
printf 'root:x:0:\naegaeon:x:1001:\n' > "$OUT/etc/group"

# 4. The application.
cp -r "$APP" "$OUT/deployments"

# 5. Layer and write the tarball (Jib; no daemon, no registry). This module has no classes of
#    its own, but Jib wants the output directory to exist.
mkdir -p "$ROOT/knative/target/classes"
"$ROOT/mvnw" -B -q -f "$ROOT/knative/pom.xml" -Pimage jib:buildTar
echo "image: $ROOT/knative/target/aegaeon-platform-image.tar"
