// Matrix product for float32 checkpoints: y[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n]), W and x
// fp32, fp32 accumulation, output fp32. Production checkpoints are bf16 and take gemv.cu/gemm.cu;
// this path exists so that a float32 checkpoint is not rounded (its logits then match HF's float32
// reference to ~1e-6 instead of ~2e-2), and it favours being simple and correct over speed:
// a warp per output element, lanes striding over K, then a warp reduction.
// grid (ceil(N / 8), M), 256 threads.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(256) linear_f32(
    const float* __restrict__ x, const float* __restrict__ W, const void* __restrict__ bias,
    int biasF32, float* __restrict__ out, int N, int K) {
    const int n = blockIdx.x * 8 + (threadIdx.x >> 5), m = blockIdx.y, lane = threadIdx.x & 31;
    if (n >= N) return;
    const float* xr = x + (size_t)m * K;
    const float* wr = W + (size_t)n * K;
    float acc = 0.f;
    for (int k = lane; k < K; k += 32) acc = fmaf(wr[k], xr[k], acc);
    acc = warp_sum(acc);
    if (lane == 0) {
        if (bias) acc += biasF32 ? reinterpret_cast<const float*>(bias)[n]
                                 : __bfloat162float(reinterpret_cast<const bf16*>(bias)[n]);
        out[(size_t)m * N + n] = acc;
    }
}

// out[m, n] += bias[n] (fp32 bias after a bf16-weight product whose checkpoint kept its bias in
// float32). grid-stride over M * N.
extern "C" __global__ void add_bias_f32(float* __restrict__ out, const float* __restrict__ bias, int M, int N) {
    const size_t total = (size_t)M * N;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total; i += (size_t)gridDim.x * blockDim.x)
        out[i] += bias[i % N];
}

// out[m, n] += bias[n] with a bf16 bias on an fp32 output: the bias of a product cuBLASLt ran
// without its bias epilogue (it offers none for a bf16 bias on fp32 output). grid-stride over M * N.
extern "C" __global__ void add_bias_bf16_f32(float* __restrict__ out, const bf16* __restrict__ bias, int M, int N) {
    const size_t total = (size_t)M * N;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total; i += (size_t)gridDim.x * blockDim.x)
        out[i] += __bfloat162float(bias[i % N]);
}
