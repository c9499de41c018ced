#!/usr/bin/env bash
# Builds the committed kernel images in ../kernel-images from the sources here, so that a build
# without nvcc still ships a working CUDA backend (Maven packages that folder as resources under
# dev/aegaeon/runtime/cuda/images/). Per module X.cu:
#   X.sm_80.fatbin X.sm_86.fatbin X.sm_89.fatbin X.sm_90.fatbin   SASS for Ampere, Ada, Hopper
#   X.compute_80.fatbin                                           PTX, JIT-compiled by the driver on
#                                                                 any newer card (Blackwell) and in
#                                                                 the forced generic mode
# and for X_sm90a.cu (wgmma, not forward-compatible) only X_sm90a.sm_90a.fatbin. Every image is a
# fatbin holding one architecture, compressed by nvcc (--compress-mode=size; the driver inflates it
# at load). manifest.tsv lists each image with the sha256 of the inputs it was made from (its .cu,
# every .cuh here and this script) and the nvcc that made it; KernelImagesCurrentTest recomputes
# those hashes in every Maven build.
#
#   build-kernels.sh [--nvcc PATH]            rebuild the images whose inputs changed (all of them
#                                             when nvcc's version differs from the manifest's)
#   build-kernels.sh --check                  no nvcc needed: exit 1 listing the stale images
#   build-kernels.sh --verify [--nvcc PATH]   rebuild everything into a temporary folder and compare
#                                             byte for byte with the committed images (same nvcc
#                                             version as the manifest; nvcc's output is deterministic)
set -euo pipefail
export LC_ALL=C   # glob order = byte order, as the Java check sorts
src=$(cd "$(dirname "$0")" && pwd)
images=$(cd "$src/../kernel-images" && pwd)
manifest=$images/manifest.tsv
mode=build
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --verify) mode=verify ;;
    --nvcc) nvcc=$2; shift ;;
    *) echo "usage: build-kernels.sh [--check | --verify] [--nvcc PATH]" >&2; exit 2 ;;
  esac
  shift
done

SASS_ARCHS="sm_80 sm_86 sm_89 sm_90"
PTX_ARCH=compute_80
# No -lineinfo: it doubles the images, and every byte here travels twice to the device (the
# repository and the staged jar). Add it locally for a profiling build; do not commit that build.
FLAGS=(-O3 --compress-mode=size)

# The architectures module $1 is built for.
archs_of() { case "$1" in *_sm90a) echo sm_90a ;; *) echo "$SASS_ARCHS $PTX_ARCH" ;; esac; }

# sha256 over "sha256  name" lines of the module's .cu, every .cuh and this script (KernelImageManifest.sourcesHash).
sources_hash() {
  (cd "$src" && sha256sum "$1.cu" *.cuh build-kernels.sh) | sha256sum | cut -d' ' -f1
}

# The recorded sources hash of image file $1, or nothing.
recorded_hash() { [ -f "$manifest" ] && awk -F'\t' -v f="$1" '$1 == "image" && $4 == f { print $5 }' "$manifest" || true; }

nvcc_version() { "$nvcc" --version | sed -n 's/.*release [0-9.]*, V\([0-9.]*\).*/\1/p'; }

compile() { # module arch output
  local cu=$src/$1.cu arch=$2 out=$3 gencode
  case "$arch" in
    sm_*) gencode="arch=compute_${arch#sm_},code=$arch" ;;
    compute_*) gencode="arch=$arch,code=$arch" ;;
  esac
  "$nvcc" -fatbin -gencode "$gencode" "${FLAGS[@]}" -o "$out" "$cu"
}

modules=()
for cu in "$src"/*.cu; do modules+=("$(basename "$cu" .cu)"); done

if [ "$mode" = check ]; then
  stale=0
  for m in "${modules[@]}"; do
    h=$(sources_hash "$m")
    for a in $(archs_of "$m"); do
      f=$m.$a.fatbin
      if [ ! -f "$images/$f" ] || [ "$(recorded_hash "$f")" != "$h" ]; then echo "stale: $f"; stale=1; fi
    done
  done
  [ $stale = 0 ] && echo "kernel images are current with their sources" || echo "rebuild with gpu-runtime/src/main/cuda/build-kernels.sh (needs nvcc)"
  exit $stale
fi

[ -x "$nvcc" ] || { echo "nvcc not found (pass --nvcc PATH or set NVCC)" >&2; exit 2; }
version=$(nvcc_version)
recorded_version=$([ -f "$manifest" ] && awk -F'\t' '$1 == "nvcc" { print $2 }' "$manifest" || true)

if [ "$mode" = verify ]; then
  [ "$version" = "$recorded_version" ] || { echo "verify needs nvcc $recorded_version (the manifest's), found $version" >&2; exit 2; }
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  differ=0
  for m in "${modules[@]}"; do
    for a in $(archs_of "$m"); do
      f=$m.$a.fatbin
      compile "$m" "$a" "$tmp/$f"
      cmp -s "$tmp/$f" "$images/$f" || { echo "differs: $f"; differ=1; }
    done
  done
  [ $differ = 0 ] && echo "kernel images match a fresh build with nvcc $version"
  exit $differ
fi

rebuild_all=0
[ "$version" = "$recorded_version" ] || rebuild_all=1
lines=()
for m in "${modules[@]}"; do
  h=$(sources_hash "$m")
  for a in $(archs_of "$m"); do
    f=$m.$a.fatbin
    if [ $rebuild_all = 1 ] || [ ! -f "$images/$f" ] || [ "$(recorded_hash "$f")" != "$h" ]; then
      echo "nvcc $version: $f"
      compile "$m" "$a" "$images/$f.tmp"
      mv "$images/$f.tmp" "$images/$f"
    fi
    lines+=("$(printf 'image\t%s\t%s\t%s\t%s\t%s' "$m" "$a" "$f" "$h" "$(sha256sum "$images/$f" | cut -d' ' -f1)")")
  done
done
# Images of modules that no longer exist go with the manifest's old lines.
for f in "$images"/*.fatbin; do
  [ -e "$f" ] || continue
  printf '%s\n' "${lines[@]}" | cut -f4 | grep -qxF "$(basename "$f")" || { echo "removed: $(basename "$f")"; rm "$f"; }
done
{
  printf '# Written by gpu-runtime/src/main/cuda/build-kernels.sh; do not edit.\n'
  printf '# image  module  arch  file  sources-sha256  image-sha256\n'
  printf 'nvcc\t%s\n' "$version"
  printf '%s\n' "${lines[@]}"
} > "$manifest.tmp"
mv "$manifest.tmp" "$manifest"
echo "kernel images: $(ls "$images"/*.fatbin | wc -l) files, $(du -cb "$images"/*.fatbin | tail -1 | cut -f1) bytes"
