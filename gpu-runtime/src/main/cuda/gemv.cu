// Decode matrix product for small batches: y[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n]).
// Memory-bound: every weight byte is read once with 16-byte loads, coalesced across the warp; the
// M batch rows share every weight load. x stays fp32 (it is tiny next to W): decode rounds no
// activation to bf16. Two shapes, chosen by what measured faster on the H100 (CUDA-NOTES.md):
//  - M <= 2: a warp per row of W walking K with 4 loads in flight per lane (2.5 TB/s at M = 1);
//  - M 3..8: a block per 2 rows with K split over all 256 threads and a shared-memory reduction
//    (more arithmetic per load; 1.26 TB/s at M = 8 against 0.89 TB/s for a warp per row).
//    gemv_rR_mM (R = 4, 8; selectable, aegaeon.cuda.gemvBlockRows) is the same body over R rows
//    per block: each thread reads its M x-slices once per R weight rows instead of per 2, so the
//    L1 traffic of x falls from 8x to 2x the weight bytes at M = 8. Same K split and reduction
//    order per row, so the result is bit-identical to gemv_mM.
#include "common.cuh"

template <int M, int ROWS, int UNROLL>
__device__ __forceinline__ void gemv_warp_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                          const bf16* __restrict__ bias, void* __restrict__ out,
                                          int outF32, int N, int K, int blk) {
    const int lane = threadIdx.x & 31;
    const int n0 = (blk * (blockDim.x >> 5) + (threadIdx.x >> 5)) * ROWS;
    if (n0 >= N) return;
    float acc[M][ROWS];
#pragma unroll
    for (int m = 0; m < M; ++m)
#pragma unroll
        for (int r = 0; r < ROWS; ++r) acc[m][r] = 0.f;
    const bf16* wRow[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; ++r) wRow[r] = W + (size_t)min(n0 + r, N - 1) * K;

    const int kVec = (K & 7) == 0 ? K : 0;
    constexpr int STEP = 32 * 8;
    int k = lane * 8;
    for (; k + (UNROLL - 1) * STEP < kVec; k += UNROLL * STEP) {
        uint4 w[UNROLL][ROWS];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u)
#pragma unroll
            for (int r = 0; r < ROWS; ++r) w[u][r] = __ldg(reinterpret_cast<const uint4*>(wRow[r] + k + u * STEP));
#pragma unroll
        for (int u = 0; u < UNROLL; ++u)
#pragma unroll
            for (int m = 0; m < M; ++m) {
                const float4 xa = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k + u * STEP));
                const float4 xb = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k + u * STEP + 4));
                const float xf[8] = {xa.x, xa.y, xa.z, xa.w, xb.x, xb.y, xb.z, xb.w};
#pragma unroll
                for (int r = 0; r < ROWS; ++r) {
                    const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&w[u][r]);
                    float a = acc[m][r];
#pragma unroll
                    for (int j = 0; j < 4; ++j) {
                        const float2 wf = __bfloat1622float2(wp[j]);
                        a = fmaf(wf.x, xf[2 * j], a);
                        a = fmaf(wf.y, xf[2 * j + 1], a);
                    }
                    acc[m][r] = a;
                }
            }
    }
    for (; k < kVec; k += STEP) {  // remainder chunks, one at a time
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const uint4 wv = __ldg(reinterpret_cast<const uint4*>(wRow[r] + k));
            const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&wv);
#pragma unroll
            for (int m = 0; m < M; ++m)
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const float2 wf = __bfloat1622float2(wp[j]);
                    acc[m][r] = fmaf(wf.x, x[(size_t)m * K + k + 2 * j], acc[m][r]);
                    acc[m][r] = fmaf(wf.y, x[(size_t)m * K + k + 2 * j + 1], acc[m][r]);
                }
        }
    }
    // Scalar path (K not a multiple of 8: tiny test models).
    for (int kk = kVec + lane; kk < K; kk += 32) {
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const float wv = __bfloat162float(wRow[r][kk]);
#pragma unroll
            for (int m = 0; m < M; ++m) acc[m][r] = fmaf(wv, x[(size_t)m * K + kk], acc[m][r]);
        }
    }
#pragma unroll
    for (int m = 0; m < M; ++m)
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            float v = warp_sum(acc[m][r]);
            const int n = n0 + r;
            if (lane == 0 && n < N) {
                if (bias) v += __bfloat162float(bias[n]);
                if (outF32) reinterpret_cast<float*>(out)[(size_t)m * N + n] = v;
                else reinterpret_cast<bf16*>(out)[(size_t)m * N + n] = __float2bfloat16(v);
            }
        }
}

template <int M, int ROWS>
__device__ __forceinline__ void gemv_block_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                          const bf16* __restrict__ bias, void* __restrict__ out,
                                          int outF32, int N, int K, int blk) {
    constexpr int NT = 256, NW = NT / 32;
    __shared__ float red[NW][M][ROWS];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int n0 = blk * ROWS;
    float acc[M][ROWS];
#pragma unroll
    for (int m = 0; m < M; ++m)
#pragma unroll
        for (int r = 0; r < ROWS; ++r) acc[m][r] = 0.f;

    const int kVec = (K & 7) == 0 ? K : 0;
    const bf16* wRow[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; ++r) wRow[r] = W + (size_t)min(n0 + r, N - 1) * K;
    for (int k = tid * 8; k < kVec; k += NT * 8) {
        uint4 w[ROWS];
#pragma unroll
        for (int r = 0; r < ROWS; ++r) w[r] = __ldg(reinterpret_cast<const uint4*>(wRow[r] + k));
#pragma unroll
        for (int m = 0; m < M; ++m) {
            const float4 xa = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k));
            const float4 xb = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k + 4));
            const float xf[8] = {xa.x, xa.y, xa.z, xa.w, xb.x, xb.y, xb.z, xb.w};
#pragma unroll
            for (int r = 0; r < ROWS; ++r) {
                const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&w[r]);
                float a = acc[m][r];
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const float2 wf = __bfloat1622float2(wp[j]);
                    a = fmaf(wf.x, xf[2 * j], a);
                    a = fmaf(wf.y, xf[2 * j + 1], a);
                }
                acc[m][r] = a;
            }
        }
    }
    // Scalar path (K not a multiple of 8: tiny test models).
    for (int k = kVec + tid; k < K; k += NT) {
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const float wv = __bfloat162float(wRow[r][k]);
#pragma unroll
            for (int m = 0; m < M; ++m) acc[m][r] = fmaf(wv, x[(size_t)m * K + k], acc[m][r]);
        }
    }
#pragma unroll
    for (int m = 0; m < M; ++m)
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const float v = warp_sum(acc[m][r]);
            if (lane == 0) red[warp][m][r] = v;
        }
    __syncthreads();
    if (tid < M * ROWS) {
        const int m = tid / ROWS, r = tid % ROWS, n = n0 + r;
        float v = 0.f;
#pragma unroll
        for (int w = 0; w < NW; ++w) v += red[w][m][r];
        if (n < N) {
            if (bias) v += __bfloat162float(bias[n]);
            if (outF32) reinterpret_cast<float*>(out)[(size_t)m * N + n] = v;
            else reinterpret_cast<bf16*>(out)[(size_t)m * N + n] = __float2bfloat16(v);
        }
    }
}

// Launch shapes must match CudaOps: M <= 2 a warp per row (8 rows per 256-thread block),
// M 3..8 a block per 2 rows.
#define GEMV_WARP(M)                                                                               \
    extern "C" __global__ void __launch_bounds__(256) gemv_m##M(                                   \
        const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,   \
        void* __restrict__ out, int outF32, int N, int K) {                                        \
        gemv_warp_body<M, 1, 4>(x, W, bias, out, outF32, N, K, blockIdx.x);                        \
    }
#define GEMV_BLOCK(M)                                                                              \
    extern "C" __global__ void __launch_bounds__(256) gemv_m##M(                                   \
        const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,   \
        void* __restrict__ out, int outF32, int N, int K) {                                        \
        gemv_block_body<M, 2>(x, W, bias, out, outF32, N, K, blockIdx.x);                          \
    }

GEMV_WARP(1)
GEMV_WARP(2)
GEMV_BLOCK(3)
GEMV_BLOCK(4)
GEMV_BLOCK(5)
GEMV_BLOCK(6)
GEMV_BLOCK(7)
GEMV_BLOCK(8)

#define GEMV_BLOCK_ROWS(M, R)                                                                      \
    extern "C" __global__ void __launch_bounds__(256) gemv_r##R##_m##M(                            \
        const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,   \
        void* __restrict__ out, int outF32, int N, int K) {                                        \
        gemv_block_body<M, R>(x, W, bias, out, outF32, N, K, blockIdx.x);                          \
    }
#define GEMV_BLOCK_ROWS_ALL(R) \
    GEMV_BLOCK_ROWS(3, R) GEMV_BLOCK_ROWS(4, R) GEMV_BLOCK_ROWS(5, R) GEMV_BLOCK_ROWS(6, R) GEMV_BLOCK_ROWS(7, R) GEMV_BLOCK_ROWS(8, R)
GEMV_BLOCK_ROWS_ALL(4)
GEMV_BLOCK_ROWS_ALL(8)

// Up to three products of the same x in one launch (q/k/v, gate/up): blocks [0, B0) serve W0,
// the next B1 blocks W1, the rest W2, with Bi = ceil(Ni / rows per block). Fewer launches, and
// small products (k, v: 512 rows) share the grid with a large one instead of leaving SMs idle.
#define GEMV_GROUP(NAME, BODY, ROWS_PER_BLOCK)                                                     \
    extern "C" __global__ void __launch_bounds__(256) NAME(                                        \
        const float* __restrict__ x, int outF32, int K,                                            \
        const bf16* __restrict__ W0, const bf16* __restrict__ b0, void* __restrict__ o0, int N0,  \
        const bf16* __restrict__ W1, const bf16* __restrict__ b1, void* __restrict__ o1, int N1,  \
        const bf16* __restrict__ W2, const bf16* __restrict__ b2, void* __restrict__ o2, int N2) { \
        const int B0 = (N0 + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;                                 \
        const int B1 = (N1 + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;                                 \
        int blk = blockIdx.x;                                                                      \
        if (blk < B0) { BODY(x, W0, b0, o0, outF32, N0, K, blk); return; }                         \
        blk -= B0;                                                                                 \
        if (blk < B1) { BODY(x, W1, b1, o1, outF32, N1, K, blk); return; }                         \
        BODY(x, W2, b2, o2, outF32, N2, K, blk - B1);                                              \
    }
#define WARP_BODY(M) gemv_warp_body<M, 1, 4>
#define BLOCK_BODY(M) gemv_block_body<M, 2>
GEMV_GROUP(gemv_group_m1, WARP_BODY(1), 8)
GEMV_GROUP(gemv_group_m2, WARP_BODY(2), 8)
GEMV_GROUP(gemv_group_m3, BLOCK_BODY(3), 2)
GEMV_GROUP(gemv_group_m4, BLOCK_BODY(4), 2)
GEMV_GROUP(gemv_group_m5, BLOCK_BODY(5), 2)
GEMV_GROUP(gemv_group_m6, BLOCK_BODY(6), 2)
GEMV_GROUP(gemv_group_m7, BLOCK_BODY(7), 2)
GEMV_GROUP(gemv_group_m8, BLOCK_BODY(8), 2)
#define BLOCK_BODY_R(M, R) gemv_block_body<M, R>
#define GEMV_GROUP_ROWS_ALL(R) \
    GEMV_GROUP(gemv_group_r##R##_m3, BLOCK_BODY_R(3, R), R) GEMV_GROUP(gemv_group_r##R##_m4, BLOCK_BODY_R(4, R), R) \
    GEMV_GROUP(gemv_group_r##R##_m5, BLOCK_BODY_R(5, R), R) GEMV_GROUP(gemv_group_r##R##_m6, BLOCK_BODY_R(6, R), R) \
    GEMV_GROUP(gemv_group_r##R##_m7, BLOCK_BODY_R(7, R), R) GEMV_GROUP(gemv_group_r##R##_m8, BLOCK_BODY_R(8, R), R)
GEMV_GROUP_ROWS_ALL(4)
GEMV_GROUP_ROWS_ALL(8)

// Batch-1 GEMV with more bytes in flight ("wide", selectable: CudaOps, aegaeon.cuda.gemvWide):
// the same warp per row and launch shape as gemv_m1 (8 rows per 256-thread block, so GemvMerger's
// grouping holds), but UNROLL = 8 predicated 16-byte loads per lane per iteration, the last
// iteration's surplus loads switched off instead of a serial remainder loop: K = 3584 takes two
// rounds of loads per warp instead of five (three batches of 4, then two single loads).
template <int M, int UNROLL>
__device__ __forceinline__ void gemv_wide_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                               const bf16* __restrict__ bias, void* __restrict__ out,
                                               int outF32, int N, int K, int blk) {
    const int lane = threadIdx.x & 31;
    const int n = blk * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (n >= N) return;
    float acc[M];
#pragma unroll
    for (int m = 0; m < M; ++m) acc[m] = 0.f;
    const bf16* wRow = W + (size_t)n * K;
    const int kVec = (K & 7) == 0 ? K : 0;
    constexpr int STEP = 32 * 8;
    for (int kb = lane * 8; kb < kVec; kb += UNROLL * STEP) {
        uint4 w[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const int k = kb + u * STEP;
            w[u] = k < kVec ? __ldg(reinterpret_cast<const uint4*>(wRow + k)) : make_uint4(0u, 0u, 0u, 0u);
        }
#pragma unroll
        for (int u = 0; u < UNROLL; ++u) {
            const int k = kb + u * STEP;
            if (k >= kVec) break;  // the rest of this lane's slots are past K too
            const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&w[u]);
#pragma unroll
            for (int m = 0; m < M; ++m) {
                const float4 xa = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k));
                const float4 xb = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k + 4));
                const float xf[8] = {xa.x, xa.y, xa.z, xa.w, xb.x, xb.y, xb.z, xb.w};
                float a = acc[m];
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const float2 wf = __bfloat1622float2(wp[j]);
                    a = fmaf(wf.x, xf[2 * j], a);
                    a = fmaf(wf.y, xf[2 * j + 1], a);
                }
                acc[m] = a;
            }
        }
    }
    for (int kk = kVec + lane; kk < K; kk += 32) {  // K not a multiple of 8 (tiny test models)
        const float wv = __bfloat162float(wRow[kk]);
#pragma unroll
        for (int m = 0; m < M; ++m) acc[m] = fmaf(wv, x[(size_t)m * K + kk], acc[m]);
    }
#pragma unroll
    for (int m = 0; m < M; ++m) {
        float v = warp_sum(acc[m]);
        if (lane == 0) {
            if (bias) v += __bfloat162float(bias[n]);
            if (outF32) reinterpret_cast<float*>(out)[(size_t)m * N + n] = v;
            else reinterpret_cast<bf16*>(out)[(size_t)m * N + n] = __float2bfloat16(v);
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) gemv_wide_m1(
    const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,
    void* __restrict__ out, int outF32, int N, int K) {
    gemv_wide_body<1, 8>(x, W, bias, out, outF32, N, K, blockIdx.x);
}
#define WIDE_BODY(M) gemv_wide_body<M, 8>
GEMV_GROUP(gemv_wide_group_m1, WIDE_BODY(1), 8)
