// Shared pieces of the swizzled-shared-memory GEMMs (gemm_mma.cu, gemm_wgmma_sm90a.cu):
//   C[M, N] = A[M, K] . W[N, K]^T (+ bias[N]), bf16 operands, fp32 accumulation, out fp32 or bf16,
//   or fp32 split-K partials (same contract as gemm_body in gemm.cu).
// A stage holds ROWS x BK bf16 per operand, rows of BK * 2 bytes with no padding; each row's
// 16-byte chunks are XOR-swizzled so that the 8 rows one ldmatrix phase (or wgmma) reads fall in 8
// different bank groups. With BK = 64 (128-byte rows) this is exactly the wgmma 128B swizzle:
// chunk c of row r lives at chunk c ^ (r & 7), the 8-row atom 1024-byte aligned.
#pragma once
#include "common.cuh"

__device__ __forceinline__ unsigned smem_u32(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

// 16 bytes global -> shared; src_bytes 0 writes zeros (rows or K beyond the matrix).
__device__ __forceinline__ void cp_async16_zfill(unsigned dst, const void* src, int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit_group() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait_group() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

// Byte offset of 16-byte chunk c of row r in a swizzled tile with rows of BK bf16.
template <int BK>
__device__ __forceinline__ int swz_offset(int r, int c) {
    static_assert(BK == 32 || BK == 64, "rows of 64 or 128 bytes");
    if constexpr (BK == 64) return r * 128 + ((c ^ (r & 7)) << 4);
    else return r * 64 + ((c ^ ((r >> 1) & 3)) << 4);
}

// Copies rows [r0, r0 + ROWS) x [k0, k0 + BK) of src (row stride K) into the swizzled tile at
// dst (a shared address); rows >= rowLimit and columns >= kEnd read as zero. NT threads share it.
// vec: K % 8 == 0 and kBegin % 8 == 0, so every chunk is 16-byte aligned and in or out entirely.
template <int ROWS, int BK, int NT>
__device__ __forceinline__ void load_tile_swz(unsigned dst, const bf16* __restrict__ src, int rowLimit,
                                              int r0, int k0, int kEnd, int K, bool vec) {
    constexpr int CPR = BK / 8, CHUNKS = ROWS * CPR;
    static_assert(CHUNKS % NT == 0, "whole chunks per thread");
    if (vec) {
#pragma unroll
        for (int i = 0; i < CHUNKS / NT; ++i) {
            const int c = threadIdx.x + i * NT, r = c / CPR, kc = c % CPR;
            const int gr = r0 + r, gk = k0 + kc * 8;
            const bool in = gr < rowLimit && gk < kEnd;
            const bf16* g = in ? src + (size_t)gr * K + gk : src;
            cp_async16_zfill(dst + swz_offset<BK>(r, kc), g, in ? 16 : 0);
        }
    } else {
        for (int c = threadIdx.x; c < CHUNKS; c += NT) {
            const int r = c / CPR, kc = c % CPR, gr = r0 + r, gk = k0 + kc * 8;
            __align__(16) bf16 v[8];
#pragma unroll
            for (int e = 0; e < 8; ++e)
                v[e] = (gr < rowLimit && gk + e < kEnd) ? src[(size_t)gr * K + gk + e] : __float2bfloat16(0.f);
            const uint4 u = *reinterpret_cast<const uint4*>(v);
            asm volatile("st.shared.v4.u32 [%0], {%1, %2, %3, %4};\n" ::"r"(dst + swz_offset<BK>(r, kc)),
                         "r"(u.x), "r"(u.y), "r"(u.z), "r"(u.w));
        }
    }
}

// Block (bm, bn) for this block: grouped rasterization, GROUP_M block rows per group walked
// column by column, so a wave shares W tiles across block rows and A tiles across columns in L2
// (row-major launch order would stream all of W from HBM once per block row).
struct BlockCoord { int m, n; };
__device__ __forceinline__ BlockCoord grouped_block() {
    constexpr int GROUP_M = 16;
    const int gm = gridDim.y, gn = gridDim.x;
    const int pid = blockIdx.y * gn + blockIdx.x;
    const int perGroup = GROUP_M * gn, group = pid / perGroup, first = group * GROUP_M;
    const int size = min(gm - first, GROUP_M);
    const int inGroup = pid - group * perGroup;
    return {first + inGroup % size, inGroup / size};
}

// Stores the accumulator pair (row gr, columns gc and gc + 1): bias, dtype, bounds, or partials.
__device__ __forceinline__ void store_pair(float v0, float v1, int gr, int gc, int M, int N,
                                           const bf16* __restrict__ bias, void* __restrict__ out,
                                           int outF32, float* __restrict__ partial) {
    if (gr >= M || gc >= N) return;
    const bool two = gc + 1 < N;
    const size_t i = (size_t)gr * N + gc;
    if (partial) {
        // The pair's parity is that of its index in the whole partials buffer: slice z starts at
        // z * M * N, odd when M * N is (run 11: 33 x 257 split over K faulted, misaligned float2).
        const size_t j = (size_t)blockIdx.z * M * N + i;
        float* p = partial + j;
        if (two && (j & 1) == 0) *reinterpret_cast<float2*>(p) = make_float2(v0, v1);
        else { p[0] = v0; if (two) p[1] = v1; }
        return;
    }
    if (bias) {
        v0 += __bfloat162float(bias[gc]);
        if (two) v1 += __bfloat162float(bias[gc + 1]);
    }
    if (outF32) {
        float* o = reinterpret_cast<float*>(out) + i;
        if (two && (i & 1) == 0) *reinterpret_cast<float2*>(o) = make_float2(v0, v1);
        else { o[0] = v0; if (two) o[1] = v1; }
    } else {
        bf16* o = reinterpret_cast<bf16*>(out) + i;
        if (two && (i & 1) == 0) *reinterpret_cast<__nv_bfloat162*>(o) = __floats2bfloat162_rn(v0, v1);
        else { o[0] = __float2bfloat16(v0); if (two) o[1] = __float2bfloat16(v1); }
    }
}
