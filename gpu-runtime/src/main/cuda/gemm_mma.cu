// Tensor-core GEMM with explicit mma.sync.m16n8k16 for prefill (large M):
//   C[M, N] = A[M, K] . W[N, K]^T (+ bias[N]); contract of gemm_body in gemm.cu (any M, N, K,
//   split-K partials over gridDim.z, fp32 or bf16 out).
// Versus the wmma kernels: no padded shared memory (XOR swizzle, see gemm_tiles.cuh), fragments
// loaded with ldmatrix.x4 (4 8x8 matrices per instruction instead of wmma's generic loads), 64x64
// warp tiles (32 MMAs per 8 ldmatrix), fragments of the next k16 step loaded while this one's
// MMAs issue, and grouped block rasterization for L2 reuse.
// W is [N, K] with K contiguous, which is already the "col" layout mma wants for B: no .trans.
#include "mma_fragments.cuh"  // ldmatrix, mma wrappers; gemm_tiles.cuh

template <int BM, int BN, int STAGES, int BK>
__device__ __forceinline__ void gemm_mma_body(const bf16* __restrict__ A, const bf16* __restrict__ W,
                                              const bf16* __restrict__ bias, void* __restrict__ out,
                                              int outF32, float* __restrict__ partial, int M, int N, int K,
                                              int kPerSplit) {
    constexpr int WM = 64, WN = 64, WARPS_N = BN / WN, NT = (BM / WM) * WARPS_N * 32;
    constexpr int FM = WM / 16, FN = WN / 8;  // m16 row tiles, n8 column tiles per warp
    constexpr int A_BYTES = BM * BK * 2, STAGE_BYTES = (BM + BN) * BK * 2;
    extern __shared__ __align__(1024) unsigned char smem[];
    const unsigned base = smem_u32(smem);

    const BlockCoord blk = grouped_block();
    const int bm = blk.m * BM, bn = blk.n * BN;
    const int kBegin = blockIdx.z * kPerSplit, kEnd = min(K, kBegin + kPerSplit);
    const int nk = kEnd > kBegin ? (kEnd - kBegin + BK - 1) / BK : 0;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int wm = warp / WARPS_N, wn = warp % WARPS_N;
    const bool vec = (K & 7) == 0;

    float acc[FM][FN][4];
#pragma unroll
    for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.f;

    auto load_stage = [&](int stage, int kt) {
        const int k0 = kBegin + kt * BK;
        const unsigned s = base + stage * STAGE_BYTES;
        load_tile_swz<BM, BK, NT>(s, A, M, bm, k0, kEnd, K, vec);
        load_tile_swz<BN, BK, NT>(s + A_BYTES, W, N, bn, k0, kEnd, K, vec);
    };

    // ldmatrix.x4 lane roles. A (m16 x k16): matrices (rows 0-7, k 0-7), (8-15, 0-7), (0-7, 8-15),
    // (8-15, 8-15) = mma fragments a0..a3. B (two n8 tiles x k16): (n 0-7, k 0-7), (0-7, 8-15),
    // (8-15, 0-7), (8-15, 8-15) = b0, b1 of tile j and b0, b1 of tile j + 1.
    const int q = lane >> 3, l8 = lane & 7;
    const int aRow = wm * WM + l8 + (q & 1) * 8, aChunk = q >> 1;
    const int bRow = wn * WN + l8 + (q >> 1) * 8, bChunk = q & 1;

    unsigned af[2][FM][4], bfr[2][FN][2];
    auto load_frags = [&](int buf, unsigned sA, unsigned sB, int kk) {
#pragma unroll
        for (int i = 0; i < FM; ++i)
            ldmatrix_x4(sA + swz_offset<BK>(aRow + i * 16, kk * 2 + aChunk), af[buf][i][0], af[buf][i][1],
                        af[buf][i][2], af[buf][i][3]);
#pragma unroll
        for (int j = 0; j < FN; j += 2)
            ldmatrix_x4(sB + swz_offset<BK>(bRow + j * 8, kk * 2 + bChunk), bfr[buf][j][0], bfr[buf][j][1],
                        bfr[buf][j + 1][0], bfr[buf][j + 1][1]);
    };

#pragma unroll
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < nk) load_stage(s, s);
        cp_async_commit_group();
    }
    for (int kt = 0; kt < nk; ++kt) {
        cp_async_wait_group<STAGES - 2>();
        __syncthreads();
        // The slot refilled now was last read in iteration kt - 1, which every warp has finished.
        const int pf = kt + STAGES - 1;
        if (pf < nk) load_stage(pf % STAGES, pf);
        cp_async_commit_group();
        const unsigned sA = base + (kt % STAGES) * STAGE_BYTES, sB = sA + A_BYTES;
        load_frags(0, sA, sB, 0);
#pragma unroll
        for (int kk = 0; kk < BK / 16; ++kk) {
            const int cur = kk & 1;
            if (kk + 1 < BK / 16) load_frags(cur ^ 1, sA, sB, kk + 1);
#pragma unroll
            for (int i = 0; i < FM; ++i)
#pragma unroll
                for (int j = 0; j < FN; ++j) {
                    // Serpentine over j so consecutive MMAs share the B fragment.
                    const int jj = (i & 1) ? FN - 1 - j : j;
                    mma_bf16_16816(acc[i][jj], af[cur][i], bfr[cur][jj][0], bfr[cur][jj][1]);
                }
        }
    }
    cp_async_wait_group<0>();

    // Accumulator of tile (i, j): c0, c1 at (row g, columns 2t, 2t + 1), c2, c3 at row g + 8.
    const int g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j) {
            const int r = bm + wm * WM + i * 16 + g, c = bn + wn * WN + j * 8 + t * 2;
            store_pair(acc[i][j][0], acc[i][j][1], r, c, M, N, bias, out, outF32, partial);
            store_pair(acc[i][j][2], acc[i][j][3], r + 8, c, M, N, bias, out, outF32, partial);
        }
}

#define GEMM_MMA(NAME, BM, BN, ST, BK, MIN_BLOCKS)                                                   \
    extern "C" __global__ void __launch_bounds__((BM / 64) * (BN / 64) * 32, MIN_BLOCKS) NAME(      \
        const bf16* __restrict__ A, const bf16* __restrict__ W, const bf16* __restrict__ bias,      \
        void* __restrict__ out, int outF32, float* __restrict__ partial, int M, int N, int K,       \
        int kPerSplit) {                                                                             \
        gemm_mma_body<BM, BN, ST, BK>(A, W, bias, out, outF32, partial, M, N, K, kPerSplit);         \
    }

// Candidates for the aegaeon.cuda.largeTile property (CudaOps registers them with their shared
// memory: STAGES x (BM + BN) x BK x 2 bytes).
GEMM_MMA(gemm_mma_128x256_k64, 128, 256, 3, 64, 1)  // 8 warps, 144 KiB, 1 block per SM
GEMM_MMA(gemm_mma_128x128_k64, 128, 128, 3, 64, 2)  // 4 warps, 96 KiB, 2 blocks per SM
GEMM_MMA(gemm_mma_128x128_k32, 128, 128, 4, 32, 2)  // 4 warps, 64 KiB, 2-3 blocks per SM
