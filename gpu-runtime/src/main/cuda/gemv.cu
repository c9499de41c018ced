// Decode matrix product for small batches: y[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n]).
// Memory-bound: every weight byte is read once with 16-byte loads, ROWS rows of W per warp so
// that each x chunk is reused ROWS times, M batch rows share every weight load. x stays fp32 (it
// is tiny next to W), so decode rounds no activation to bf16.
#include "common.cuh"

template <int M, int ROWS>
__device__ __forceinline__ void gemv_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                          const bf16* __restrict__ bias, void* __restrict__ out,
                                          int outF32, int N, int K) {
    const int lane = threadIdx.x & 31;
    const int warpGlobal = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int n0 = warpGlobal * ROWS;
    if (n0 >= N) return;
    float acc[M][ROWS];
#pragma unroll
    for (int m = 0; m < M; ++m)
#pragma unroll
        for (int r = 0; r < ROWS; ++r) acc[m][r] = 0.f;

    const bool vec = (K & 7) == 0;
    const int kVec = vec ? K : 0;
    // 16-byte main loop: lane handles chunks lane, lane+32, ...
    for (int k = lane * 8; k < kVec; k += 32 * 8) {
        uint4 w[ROWS];
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const int n = min(n0 + r, N - 1);
            w[r] = __ldg(reinterpret_cast<const uint4*>(W + (size_t)n * K + k));
        }
#pragma unroll
        for (int m = 0; m < M; ++m) {
            const float4 xa = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k));
            const float4 xb = __ldg(reinterpret_cast<const float4*>(x + (size_t)m * K + k + 4));
            const float2 xf[4] = {make_float2(xa.x, xa.y), make_float2(xa.z, xa.w), make_float2(xb.x, xb.y),
                                  make_float2(xb.z, xb.w)};
#pragma unroll
            for (int r = 0; r < ROWS; ++r) {
                const __nv_bfloat162* wp = reinterpret_cast<const __nv_bfloat162*>(&w[r]);
                float a = acc[m][r];
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const float2 wf = __bfloat1622float2(wp[j]);
                    a = fmaf(wf.x, xf[j].x, a);
                    a = fmaf(wf.y, xf[j].y, a);
                }
                acc[m][r] = a;
            }
        }
    }
    // Scalar path (K not a multiple of 8: tiny test models).
    for (int k = kVec + lane; k < K; k += 32) {
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const int n = min(n0 + r, N - 1);
            const float wv = __bfloat162float(W[(size_t)n * K + k]);
#pragma unroll
            for (int m = 0; m < M; ++m) acc[m][r] = fmaf(wv, x[(size_t)m * K + k], acc[m][r]);
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
