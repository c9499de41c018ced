// Tensor-core matrix product for prefill and larger decode batches:
//   C[M, N] = A[M, K] . W[N, K]^T (+ bias[N]), bf16 operands, fp32 accumulation (wmma 16x16x16).
// Tiles BMxBNx32 staged in shared memory by a cp.async pipeline of STAGES; optional split-K over
// gridDim.z writes fp32 partials that gemm_splitk_reduce sums (used when M is small and N alone
// does not give enough blocks to stream the weights with every multiprocessor).
#include "common.cuh"
#include <mma.h>
using namespace nvcuda;

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gmem));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

template <int BM, int BN, int WM, int WN, int STAGES, int BK>
__device__ __forceinline__ void gemm_body(const bf16* __restrict__ A, const bf16* __restrict__ W,
                                          const bf16* __restrict__ bias, void* __restrict__ out,
                                          int outF32, float* __restrict__ partial, int M, int N,
                                          int K, int kPerSplit) {
    constexpr int LDS = BK + 8;  // rows padded by 16 bytes: 16-byte aligned, fewer bank conflicts
    constexpr int WARPS_N = BN / WN, NT = (BM / WM) * WARPS_N * 32;
    constexpr int FM = WM / 16, FN = WN / 16;
    extern __shared__ __align__(128) unsigned char smem[];
    bf16* As = reinterpret_cast<bf16*>(smem);
    bf16* Bs = As + STAGES * BM * LDS;

    const int bm = blockIdx.y * BM, bn = blockIdx.x * BN;
    const int kBegin = blockIdx.z * kPerSplit, kEnd = min(K, kBegin + kPerSplit);
    const int nk = kEnd > kBegin ? (kEnd - kBegin + BK - 1) / BK : 0;
    const int warp = threadIdx.x >> 5, wm = warp / WARPS_N, wn = warp % WARPS_N;
    const bool vec = (K & 7) == 0;

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[FM][FN];
#pragma unroll
    for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j) wmma::fill_fragment(acc[i][j], 0.f);

    auto load_tile = [&](bf16* dstBase, const bf16* src, int rows, int rowLimit, int r0, int k0) {
        for (int c = threadIdx.x; c < rows * (BK / 8); c += NT) {
            const int r = c / (BK / 8), kc = (c % (BK / 8)) * 8;
            bf16* dst = dstBase + r * LDS + kc;
            const int gr = r0 + r, gk = k0 + kc;
            if (vec && gr < rowLimit && gk + 8 <= kEnd) {
                cp_async16(dst, src + (size_t)gr * K + gk);
            } else {
#pragma unroll
                for (int e = 0; e < 8; ++e)
                    dst[e] = (gr < rowLimit && gk + e < kEnd) ? src[(size_t)gr * K + gk + e]
                                                             : __float2bfloat16(0.f);
            }
        }
    };
    auto load_stage = [&](int stage, int kt) {
        const int k0 = kBegin + kt * BK;
        load_tile(As + stage * BM * LDS, A, BM, M, bm, k0);
        load_tile(Bs + stage * BN * LDS, W, BN, N, bn, k0);
    };

#pragma unroll
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < nk) load_stage(s, s);
        cp_async_commit();
    }
    for (int kt = 0; kt < nk; ++kt) {
        cp_async_wait<STAGES - 2>();
        __syncthreads();
        const int pf = kt + STAGES - 1;
        if (pf < nk) load_stage(pf % STAGES, pf);
        cp_async_commit();
        const int st = kt % STAGES;
        const bf16* as = As + (st * BM + wm * WM) * LDS;
        const bf16* bs = Bs + (st * BN + wn * WN) * LDS;
#pragma unroll
        for (int kk = 0; kk < BK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> af[FM];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> bf[FN];
#pragma unroll
            for (int i = 0; i < FM; ++i) wmma::load_matrix_sync(af[i], as + i * 16 * LDS + kk, LDS);
#pragma unroll
            for (int j = 0; j < FN; ++j) wmma::load_matrix_sync(bf[j], bs + j * 16 * LDS + kk, LDS);
#pragma unroll
            for (int i = 0; i < FM; ++i)
#pragma unroll
                for (int j = 0; j < FN; ++j) wmma::mma_sync(acc[i][j], af[i], bf[j], acc[i][j]);
        }
    }
    cp_async_wait<0>();
    __syncthreads();

    // Epilogue through a per-warp 16x16 staging tile: bounds, bias, dtype.
    float* stage = reinterpret_cast<float*>(smem) + warp * 256;
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            const int r0 = bm + wm * WM + i * 16, c0 = bn + wn * WN + j * 16;
            for (int e = lane; e < 256; e += 32) {
                const int gr = r0 + (e >> 4), gc = c0 + (e & 15);
                if (gr < M && gc < N) {
                    float v = stage[e];
                    if (partial) {
                        partial[((size_t)blockIdx.z * M + gr) * N + gc] = v;
                    } else {
                        if (bias) v += __bfloat162float(bias[gc]);
                        if (outF32) reinterpret_cast<float*>(out)[(size_t)gr * N + gc] = v;
                        else reinterpret_cast<bf16*>(out)[(size_t)gr * N + gc] = __float2bfloat16(v);
                    }
                }
            }
            __syncwarp();
        }
}

#define GEMM(NAME, BM, BN, WM, WN, ST, BK)                                                         \
    extern "C" __global__ void __launch_bounds__((BM / WM) * (BN / WN) * 32) NAME(                \
        const bf16* __restrict__ A, const bf16* __restrict__ W, const bf16* __restrict__ bias,    \
        void* __restrict__ out, int outF32, float* __restrict__ partial, int M, int N, int K,     \
        int kPerSplit) {                                                                           \
        gemm_body<BM, BN, WM, WN, ST, BK>(A, W, bias, out, outF32, partial, M, N, K, kPerSplit);   \
    }

GEMM(gemm_128x128, 128, 128, 64, 32, 3, 32)
GEMM(gemm_128x64, 128, 64, 64, 32, 3, 32)
GEMM(gemm_64x64, 64, 64, 32, 32, 4, 32)
// Candidates for large M (prefill), chosen by the aegaeon.cuda.largeTile property: 64x64 warp
// tiles halve the shared-memory reads per MMA; BK = 64 halves the barriers per FLOP.
GEMM(gemm_128x256, 128, 256, 64, 64, 3, 32)
GEMM(gemm_128x128_k64, 128, 128, 64, 32, 3, 64)
GEMM(gemm_128x256_k64, 128, 256, 64, 64, 3, 64)
GEMM(gemm_256x128, 256, 128, 64, 64, 3, 32)
// Candidates for 9..64 rows (decode batches), chosen by the aegaeon.cuda.smallTile property.
GEMM(gemm_64x128, 64, 128, 32, 64, 4, 32)
GEMM(gemm_64x64_k64, 64, 64, 32, 32, 4, 64)

// out[m, n] = sum_s partial[s, m, n] (+ bias[n]).
extern "C" __global__ void gemm_splitk_reduce(const float* __restrict__ partial, int splits, int M,
                                              int N, const bf16* __restrict__ bias,
                                              void* __restrict__ out, int outF32) {
    const size_t total = (size_t)M * N;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        float v = 0.f;
        for (int s = 0; s < splits; ++s) v += partial[(size_t)s * total + i];
        if (bias) v += __bfloat162float(bias[i % N]);
        if (outF32) reinterpret_cast<float*>(out)[i] = v;
        else reinterpret_cast<bf16*>(out)[i] = __float2bfloat16(v);
    }
}
