#!/usr/bin/env bash
# Compiles every kernel source here to PTX for sm_90 and writes kernels.list (one module name per
# line) beside them, for the runtime to load with cuModuleLoadData. Run by Maven (profile "cuda",
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
  # Rebuild only when the source or a shared header is newer than the PTX.
  if [ ! -f "$ptx" ] || [ "$cu" -nt "$ptx" ] || [ "$src/common.cuh" -nt "$ptx" ]; then
    "$nvcc" -ptx -arch=sm_90 -O3 -lineinfo -o "$ptx" "$cu"
  fi
  echo "$name" >> "$out/kernels.list.tmp"
done
mv "$out/kernels.list.tmp" "$out/kernels.list"
