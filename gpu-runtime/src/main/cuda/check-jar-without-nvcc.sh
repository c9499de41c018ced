#!/usr/bin/env bash
# Proves that a build on a machine without the CUDA toolkit ships a working CUDA backend: packages
# gpu-runtime with every CUDA directory and nvcc removed from PATH, then checks that the jar holds
# the manifest and every image it lists, byte for byte (sha256). Run from anywhere:
#   gpu-runtime/src/main/cuda/check-jar-without-nvcc.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
module=$root/gpu-runtime
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
path=$jdk/bin:/usr/bin:/bin      # no /usr/local/bin (its nvcc wrapper), no /usr/local/cuda/bin
if PATH=$path command -v nvcc > /dev/null; then echo "nvcc is still on PATH=$path" >&2; exit 2; fi
(cd "$root" && env PATH="$path" JAVA_HOME="$jdk" ./mvnw -B -o -q -pl gpu-runtime package -DskipTests)
jar=$(ls "$module"/target/aegaeon-gpu-runtime-*.jar | grep -v -- '-tests.jar' | head -1)
dir=dev/aegaeon/runtime/cuda/images
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && unzip -q "$jar" "$dir/*")
missing=0
while IFS=$'\t' read -r kind _ _ file _ sha; do
  [ "$kind" = image ] || continue
  if [ ! -f "$tmp/$dir/$file" ]; then echo "missing from the jar: $file"; missing=1
  elif [ "$(sha256sum "$tmp/$dir/$file" | cut -d' ' -f1)" != "$sha" ]; then echo "differs in the jar: $file"; missing=1; fi
done < "$tmp/$dir/manifest.tsv"
n=$(grep -c '^image' "$tmp/$dir/manifest.tsv")
[ $missing = 0 ] && echo "OK: $(basename "$jar"), built without nvcc on PATH, holds all $n kernel images of its manifest"
exit $missing
