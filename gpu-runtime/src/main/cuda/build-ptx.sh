#!/usr/bin/env bash
# Compiles every kernel source here to PTX for sm_90 (files named *_sm90a.cu for sm_90a: wgmma and
# other Hopper-only instructions; that PTX loads only on an H100/H200-class GPU, and the runtime
# leaves such a module out when it does not) and writes kernels.list (one module name per line)
# beside them, for the runtime to load with cuModuleLoadData. Run by Maven (profile "cuda",
# active when nvcc exists); a build without nvcc skips this and the runtime says so at start.
#   build-ptx.sh NVCC OUTPUT_DIR
set -euo pipefail
nvcc=$1; out=$2
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
: > "$out/kernels.list.tmp"
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx="$out/$name.ptx"
  arch=sm_90
  case "$name" in *_sm90a) arch=sm_90a ;; esac
  # Rebuild only when the source or a shared header is newer than the PTX.
  stale=0
  [ ! -f "$ptx" ] || [ "$cu" -nt "$ptx" ] && stale=1
  for h in "$src"/*.cuh; do [ "$h" -nt "$ptx" ] && stale=1; done
  if [ "$stale" = 1 ]; then
    "$nvcc" -ptx -arch="$arch" -O3 -lineinfo -o "$ptx" "$cu"
  fi
  echo "$name" >> "$out/kernels.list.tmp"
done
mv "$out/kernels.list.tmp" "$out/kernels.list"
