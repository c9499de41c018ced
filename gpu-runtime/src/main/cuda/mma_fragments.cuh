// mma.sync / ldmatrix building blocks shared by the tensor-core kernels (gemm_mma.cu,
// decode_attention_mma.cu, prefill_attention_mma.cu), and the copy of 16 paged K/V rows into
// shared memory that both attention kernels use.
//
// Fragments of mma.m16n8k16 (PTX ISA, "Matrix Fragments for mma.m16n8k16"), g = lane / 4,
// t = lane % 4, each 32-bit register two bf16 with the lower column in the lower 16 bits:
//   A (16 x 16, row): a0 (row g, cols 2t, 2t+1), a1 (row g+8, 2t..), a2 (row g, 2t+8..), a3 (row g+8, 2t+8..)
//   B (16 x 8, col):  b0 (k 2t, 2t+1, col g), b1 (k 2t+8, 2t+9, col g)
//   C/D (16 x 8 f32): c0, c1 (row g, cols 2t, 2t+1), c2, c3 (row g+8, same cols)
// so the accumulators of two adjacent n8 tiles, rounded to bf16 in pairs, are an A fragment of the
// next product (k = the tiles' 16 columns): {c0c1 of tile 0, c2c3 of tile 0, c0c1 of tile 1, c2c3 of tile 1}.
#pragma once
#include "gemm_tiles.cuh"

__device__ __forceinline__ void ldmatrix_x4(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2,
                                            unsigned& r3) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(addr));
}

__device__ __forceinline__ void ldmatrix_x4_trans(unsigned addr, unsigned& r0, unsigned& r1, unsigned& r2,
                                                  unsigned& r3) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(addr));
}

// d += a (16 x 16) x b (16 x 8), bf16 in, fp32 accumulate.
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0,
                                               unsigned b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
        "{%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ unsigned pack_bf16(float lo, float hi) {
    const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x (lower 16 bits): the lower column
    return *reinterpret_cast<const unsigned*>(&v);
}

// K/V rows in shared memory: sub-tiles of KV_SUB keys, each KV_SUB K rows then KV_SUB V rows of
// kv_ld_row<HD>() bf16 (HD + 8: the 8 rows one ldmatrix phase reads start 16 bytes apart modulo
// 128, so they hit distinct banks).
constexpr int KV_SUB = 16;
template <int HD>
__host__ __device__ constexpr int kv_ld_row() { return HD + 8; }
// Bytes of one sub-tile (K then V).
template <int HD>
__host__ __device__ constexpr int kv_sub_bytes() { return 2 * KV_SUB * kv_ld_row<HD>() * 2; }

// Pool offset of K for key t0 + (lane & 15) (V is tokensPerPage * kvDim further), or -1 past the
// end: one block-table read per lane per sub-tile.
__device__ __forceinline__ long long kv_row_offset(const int* __restrict__ table, long long pageElems, int layer,
                                                   int tokensPerPage, int kvDim, int t0, int end, int lane) {
    const int j = t0 + (lane & 15);
    if (j >= end) return -1;
    return (long long)kv_offset(table[j / tokensPerPage], pageElems, layer, 0, tokensPerPage, j % tokensPerPage, kvDim);
}

// Warp-wide cp.async of a sub-tile's 16 K and V rows (head `headOff`) into `stage` (a shared
// address); `off` is this lane's kv_row_offset; rows past the end are zero-filled (no global read).
template <int HD>
__device__ __forceinline__ void load_kv_sub(unsigned stage, const bf16* __restrict__ pool, long long off,
                                            long long vDelta, int headOff, int lane) {
    constexpr int CPR = HD / 8;                 // 16-byte chunks per row
    constexpr int PER_LANE = KV_SUB * CPR / 32;  // chunks per lane per matrix
#pragma unroll
    for (int i = 0; i < PER_LANE; ++i) {
        const int c = lane + 32 * i, row = c / CPR, cc = c % CPR;
        const long long o = __shfl_sync(0xffffffffu, off, row);
        const bool valid = o >= 0;
        const bf16* src = pool + (valid ? o + headOff + 8 * cc : 0);
        const unsigned dst = stage + (row * kv_ld_row<HD>() + 8 * cc) * 2;
        cp_async16_zfill(dst, src, valid ? 16 : 0);
        cp_async16_zfill(dst + KV_SUB * kv_ld_row<HD>() * 2, src + (valid ? vDelta : 0), valid ? 16 : 0);
    }
}
