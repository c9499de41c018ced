#!/usr/bin/env bash
# Runs prefill_attention_mma.cu's kernels on the CPU through a warp emulation (one std::thread per
# CUDA thread; ldmatrix, mma.m16n8k16 and shuffles emulated from the PTX ISA fragment definitions,
# cp.async as a synchronous copy) against an fp64 reference: index, masking, paging and online
# softmax arithmetic, checked without a GPU. Not part of the Maven build (needs g++ >= 12, C++20).
#   gpu-runtime/src/test/cuda-emu/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/emu_prelude.h" "$here/prefill_attention_mma_check.cpp" "$here/fragment_maps_check.cpp" "$work/"
cp -r "$here/inc" "$work/"
# Copies of the real sources with the inline-asm helpers removed (the emulation defines them).
(cd "$work" && python3 "$here/prep.py" "$here/../../main/cuda")
# First the emulation against kernels that passed on the H100, then the new kernel in it.
for check in fragment_maps_check prefill_attention_mma_check; do
  g++ -std=c++20 -O2 -pthread -I"$work/inc" -I"$work" -w -o "$work/$check" "$work/$check.cpp"
  "$work/$check"
done
