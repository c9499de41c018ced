// Decode matrix product for small batches: y[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n]).
// Memory-bound: every weight byte is read once with 16-byte loads. A block of 8 warps owns ROWS
// rows of W and splits K across all its 256 threads (so even N = 512 gives enough blocks to
// stream from every multiprocessor), then reduces through shared memory. The M batch rows share
// every weight load. x stays fp32 (it is tiny next to W): decode rounds no activation to bf16.
#include "common.cuh"

template <int M, int ROWS>
__device__ __forceinline__ void gemv_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                          const bf16* __restrict__ bias, void* __restrict__ out,
                                          int outF32, int N, int K) {
    constexpr int NT = 256, NW = NT / 32;
    __shared__ float red[NW][M][ROWS];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int n0 = blockIdx.x * ROWS;
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

#define GEMV(M, ROWS)                                                                              \
    extern "C" __global__ void __launch_bounds__(256) gemv_m##M(                                   \
        const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,   \
        void* __restrict__ out, int outF32, int N, int K) {                                        \
        gemv_body<M, ROWS>(x, W, bias, out, outF32, N, K);                                         \
    }

GEMV(1, 4)
GEMV(2, 4)
GEMV(3, 2)
GEMV(4, 2)
GEMV(5, 2)
GEMV(6, 2)
GEMV(7, 2)
GEMV(8, 2)
