// Shared helpers for the Aegaeon kernels. bf16 storage, fp32 arithmetic everywhere.
#pragma once
#include <cuda_bf16.h>
#include <stdint.h>

typedef __nv_bfloat16 bf16;

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024). sh holds 33 floats.
// Every thread gets the result; safe to call repeatedly with the same sh.
__device__ __forceinline__ float block_sum(float v, float* sh) {
    v = warp_sum(v);
    const int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = blockDim.x >> 5;
    __syncthreads();
    if (l == 0) sh[w] = v;
    __syncthreads();
    if (w == 0) {
        float t = l < nw ? sh[l] : 0.f;
        t = warp_sum(t);
        if (l == 0) sh[32] = t;
    }
    __syncthreads();
    return sh[32];
}

__device__ __forceinline__ float block_max(float v, float* sh) {
    v = warp_max(v);
    const int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = blockDim.x >> 5;
    __syncthreads();
    if (l == 0) sh[w] = v;
    __syncthreads();
    if (w == 0) {
        float t = l < nw ? sh[l] : -INFINITY;
        t = warp_max(t);
        if (l == 0) sh[32] = t;
    }
    __syncthreads();
    return sh[32];
}

// Paged KV layout (one page holds tokensPerPage tokens of ONE sequence for EVERY layer):
//   page p, layer l, K(0)/V(1), token t, element e  ->
//   pool + p*pageElems + ((l*2 + kv)*tokensPerPage + t)*kvDim + e
// Equal-size pages serve models of any shape: only tokensPerPage differs between models.
__device__ __forceinline__ size_t kv_offset(int page, long long pageElems, int layer, int kv,
                                            int tokensPerPage, int tok, int kvDim) {
    return (size_t)page * (size_t)pageElems
         + ((size_t)(layer * 2 + kv) * tokensPerPage + tok) * (size_t)kvDim;
}
