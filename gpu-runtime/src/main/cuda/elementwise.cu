// Row-wise and element-wise ops of the transformer block. One block per token row.
#include "common.cuh"

// residual[t, :] = float(table[ids[t], :]). Ids are validated on the host.
extern "C" __global__ void embedding(const int* __restrict__ ids, const bf16* __restrict__ table,
                                     float* __restrict__ residual, int hidden) {
    const int t = blockIdx.x;
    const bf16* row = table + (size_t)ids[t] * hidden;
    float* out = residual + (size_t)t * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) out[i] = __bfloat162float(row[i]);
}

// residual += delta (if delta != null), then out = bf16(rmsnorm(residual) * weight).
// The residual stream stays fp32 so that 28+ layers of bf16 rounding do not accumulate.
extern "C" __global__ void add_rmsnorm(float* __restrict__ residual, const bf16* __restrict__ delta,
                                       const bf16* __restrict__ weight, bf16* __restrict__ out,
                                       int hidden, float eps) {
    __shared__ float sh[33];
    const int t = blockIdx.x;
    float* r = residual + (size_t)t * hidden;
    const bf16* d = delta ? delta + (size_t)t * hidden : nullptr;
    float ss = 0.f;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        float v = r[i];
        if (d) { v += __bfloat162float(d[i]); r[i] = v; }
        ss += v * v;
    }
    const float inv = rsqrtf(block_sum(ss, sh) / hidden + eps);
    bf16* o = out + (size_t)t * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x)
        o[i] = __float2bfloat16(r[i] * inv * __bfloat162float(weight[i]));
}

// Per-head RMSNorm (Qwen3 q_norm / k_norm), in place. grid (tokens, heads), one warp per head.
extern "C" __global__ void head_rmsnorm(bf16* __restrict__ x, int rowStride, int headDim,
                                        const bf16* __restrict__ weight, float eps) {
    bf16* h = x + (size_t)blockIdx.x * rowStride + (size_t)blockIdx.y * headDim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < headDim; i += 32) { float v = __bfloat162float(h[i]); ss += v * v; }
    const float inv = rsqrtf(warp_sum(ss) / headDim + eps);
    for (int i = threadIdx.x; i < headDim; i += 32)
        h[i] = __float2bfloat16(__bfloat162float(h[i]) * inv * __bfloat162float(weight[i]));
}

// Rotary embedding (HF rotate_half layout: pairs (i, i + headDim/2)) on q heads and k heads of
// each token row, in place. invFreq (headDim/2 floats) already carries any Llama 3.1 scaling.
extern "C" __global__ void rope(bf16* __restrict__ q, bf16* __restrict__ k, int rowStride,
                                int numQHeads, int numKHeads, int headDim,
                                const int* __restrict__ positions, const float* __restrict__ invFreq) {
    const int t = blockIdx.x, half = headDim >> 1;
    const float pos = (float)positions[t];
    const int pairs = (numQHeads + numKHeads) * half;
    for (int j = threadIdx.x; j < pairs; j += blockDim.x) {
        const int head = j / half, i = j - head * half;
        bf16* h = head < numQHeads ? q + (size_t)t * rowStride + (size_t)head * headDim
                                   : k + (size_t)t * rowStride + (size_t)(head - numQHeads) * headDim;
        float s, c;
        sincosf(pos * invFreq[i], &s, &c);
        const float x1 = __bfloat162float(h[i]), x2 = __bfloat162float(h[i + half]);
        h[i] = __float2bfloat16(x1 * c - x2 * s);
        h[i + half] = __float2bfloat16(x2 * c + x1 * s);
    }
}

// out[t, i] = silu(gu[t, i]) * gu[t, F + i]: gate and up are one fused [2F] row.
extern "C" __global__ void silu_mul(const bf16* __restrict__ gu, bf16* __restrict__ out, int ffn) {
    const int t = blockIdx.x;
    const bf16* g = gu + (size_t)t * 2 * ffn;
    bf16* o = out + (size_t)t * ffn;
    for (int i = threadIdx.x; i < ffn; i += blockDim.x) {
        const float a = __bfloat162float(g[i]), b = __bfloat162float(g[ffn + i]);
        o[i] = __float2bfloat16(a / (1.f + __expf(-a)) * b);
    }
}

// x[t, :] += bias (bf16 rows of width cols). Kept for ops that do not fuse the bias.
extern "C" __global__ void add_bias(bf16* __restrict__ x, const bf16* __restrict__ bias, int cols) {
    bf16* r = x + (size_t)blockIdx.x * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x)
        r[i] = __float2bfloat16(__bfloat162float(r[i]) + __bfloat162float(bias[i]));
}

// Writes each token's K and V rows (kvDim wide, read from the qkv rows) into its cache slot.
// slots[t] = page * tokensPerPage + token-in-page.
extern "C" __global__ void kv_write(const bf16* __restrict__ kSrc, const bf16* __restrict__ vSrc,
                                    int rowStride, int kvDim, bf16* __restrict__ pool,
                                    long long pageElems, int layer, int tokensPerPage,
                                    const int* __restrict__ slots) {
    const int t = blockIdx.x, slot = slots[t];
    const int page = slot / tokensPerPage, tok = slot - page * tokensPerPage;
    bf16* kd = pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim);
    bf16* vd = pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim);
    const bf16* ks = kSrc + (size_t)t * rowStride;
    const bf16* vs = vSrc + (size_t)t * rowStride;
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) { kd[i] = ks[i]; vd[i] = vs[i]; }
}

// Deterministic synthetic values: bf16(scale * u) + offset with u uniform in [-1, 1) from a hash
// of (seed, index). Used to fill 7B-scale benchmark weights on the device without host traffic.
extern "C" __global__ void fill_uniform(bf16* __restrict__ x, long long n, unsigned long long seed,
                                        float scale, float offset) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        unsigned long long z = seed + (unsigned long long)i * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        const float u = (float)(z >> 40) * (1.0f / 8388608.0f) - 1.0f;
        x[i] = __float2bfloat16(offset + scale * u);
    }
}
