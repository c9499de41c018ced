// Row-wise and element-wise ops of the transformer block. Activations are fp32 (the engine's
// Backend contract); weights and the KV cache are bf16. One block per token row.
#include "common.cuh"

// Weight-reading kernels come in two element types: bf16 (every production checkpoint) and fp32
// (float32 checkpoints stay float32 so the GPU reproduces their logits; CUDA-NOTES.md).
__device__ __forceinline__ float wf(const bf16* w, size_t i) { return __bfloat162float(w[i]); }
__device__ __forceinline__ float wf(const float* w, size_t i) { return w[i]; }

// out[t, :] = float(table[ids[t], :]). Ids are validated on the host.
template <typename W>
__device__ __forceinline__ void embedding_body(const int* __restrict__ ids, const W* __restrict__ table,
                                               float* __restrict__ out, int hidden) {
    const int t = blockIdx.x;
    const W* row = table + (size_t)ids[t] * hidden;
    float* o = out + (size_t)t * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) o[i] = wf(row, i);
}

// residual += delta (when delta != null), then out = rmsnorm(residual) * weight. With delta null
// this is a plain RMSNorm of residual (left unchanged). out may alias delta: every delta element
// is read before the block-wide reduction and out is written after it. With outBf16 non-null the
// same values also go there as bf16 (the next matrix product's operand, [tokens, hidden]), in the
// pass that writes out: bit-identical to f32_to_bf16 of out, without re-reading it; out may then be
// null, where only products read the values (bf16OnlyInputs).
template <typename W>
__device__ __forceinline__ void add_rmsnorm_body(float* __restrict__ residual, const float* delta,
                                                 const W* __restrict__ weight, float* out,
                                                 bf16* __restrict__ outBf16, int hidden, float eps) {
    __shared__ float sh[33];
    const int t = blockIdx.x;
    float* r = residual + (size_t)t * hidden;
    const float* d = delta ? delta + (size_t)t * hidden : nullptr;
    float ss = 0.f;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        float v = r[i];
        if (d) { v += d[i]; r[i] = v; }
        ss += v * v;
    }
    const float inv = rsqrtf(block_sum(ss, sh) / hidden + eps);
    if (outBf16) {
        bf16* ob = outBf16 + (size_t)t * hidden;
        if (out) {
            float* o = out + (size_t)t * hidden;
            for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
                const float v = r[i] * inv * wf(weight, i);
                o[i] = v;
                ob[i] = __float2bfloat16(v);
            }
        } else {
            for (int i = threadIdx.x; i < hidden; i += blockDim.x) ob[i] = __float2bfloat16(r[i] * inv * wf(weight, i));
        }
    } else {
        float* o = out + (size_t)t * hidden;
        for (int i = threadIdx.x; i < hidden; i += blockDim.x) o[i] = r[i] * inv * wf(weight, i);
    }
}

// Per-head RMSNorm (Qwen3 q_norm / k_norm), in place. grid (tokens, heads), one warp per head.
template <typename W>
__device__ __forceinline__ void head_rmsnorm_body(float* __restrict__ x, int rowStride, int headDim,
                                                  const W* __restrict__ weight, float eps) {
    float* h = x + (size_t)blockIdx.x * rowStride + (size_t)blockIdx.y * headDim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < headDim; i += 32) ss += h[i] * h[i];
    const float inv = rsqrtf(warp_sum(ss) / headDim + eps);
    for (int i = threadIdx.x; i < headDim; i += 32) h[i] = h[i] * inv * wf(weight, i);
}

#define WEIGHT_KERNELS(SUFFIX, W)                                                                  \
    extern "C" __global__ void embedding##SUFFIX(const int* __restrict__ ids,                      \
                                                 const W* __restrict__ table,                      \
                                                 float* __restrict__ out, int hidden) {            \
        embedding_body<W>(ids, table, out, hidden);                                                \
    }                                                                                              \
    extern "C" __global__ void add_rmsnorm##SUFFIX(float* __restrict__ residual, const float* delta, \
                                                   const W* __restrict__ weight, float* out,       \
                                                   int hidden, float eps) {                        \
        add_rmsnorm_body<W>(residual, delta, weight, out, nullptr, hidden, eps);                   \
    }                                                                                              \
    extern "C" __global__ void add_rmsnorm_bf16out##SUFFIX(float* __restrict__ residual,           \
                                                           const float* delta,                     \
                                                           const W* __restrict__ weight,           \
                                                           float* out, bf16* __restrict__ outBf16, \
                                                           int hidden, float eps) {                \
        add_rmsnorm_body<W>(residual, delta, weight, out, outBf16, hidden, eps);                   \
    }                                                                                              \
    extern "C" __global__ void head_rmsnorm##SUFFIX(float* __restrict__ x, int rowStride,          \
                                                    int headDim, const W* __restrict__ weight,     \
                                                    float eps) {                                   \
        head_rmsnorm_body<W>(x, rowStride, headDim, weight, eps);                                  \
    }

WEIGHT_KERNELS(, bf16)
WEIGHT_KERNELS(_f32, float)

// Rotary embedding (HF rotate_half layout: pairs (i, i + headDim/2)) of the q heads and k heads of
// each token, in place. invFreq (headDim/2 floats) already carries any Llama 3.1 scaling.
extern "C" __global__ void rope(float* __restrict__ q, int qStride, float* __restrict__ k, int kStride,
                                int numQHeads, int numKHeads, int headDim,
                                const int* __restrict__ positions, const float* __restrict__ invFreq) {
    const int t = blockIdx.x, half = headDim >> 1;
    const float pos = (float)positions[t];
    const int pairs = (numQHeads + numKHeads) * half;
    for (int j = threadIdx.x; j < pairs; j += blockDim.x) {
        const int head = j / half, i = j - head * half;
        float* h = head < numQHeads ? q + (size_t)t * qStride + (size_t)head * headDim
                                    : k + (size_t)t * kStride + (size_t)(head - numQHeads) * headDim;
        float s, c;
        sincosf(pos * invFreq[i], &s, &c);
        const float x1 = h[i], x2 = h[i + half];
        h[i] = x1 * c - x2 * s;
        h[i + half] = x2 * c + x1 * s;
    }
}

// out = silu(gate) * up, element-wise over n values; out may alias gate.
extern "C" __global__ void silu_mul(const float* gate, const float* __restrict__ up, float* out, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const float a = gate[i];
        out[i] = a / (1.f + __expf(-a)) * up[i];
    }
}

// silu_mul that also writes its result as bf16 (the down projection's operand) in the same pass,
// bit-identical to silu_mul then f32_to_bf16 of out, which read out again. Four values per step
// (float4 loads and stores, two bf16x2 stores) where the pointers allow, which the arena's
// allocations do: base addresses aligned to 16 bytes; a scalar loop takes the tail of n.
// out may alias gate (each element is read before it is written, by the same thread).
__device__ __forceinline__ float silu_times(float a, float u) { return a / (1.f + __expf(-a)) * u; }

extern "C" __global__ void silu_mul_bf16out(const float* gate, const float* __restrict__ up, float* out,
                                            bf16* __restrict__ outBf16, long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    const bool vec = ((reinterpret_cast<uintptr_t>(gate) | reinterpret_cast<uintptr_t>(up)
                      | reinterpret_cast<uintptr_t>(out)) & 15) == 0
                     && (reinterpret_cast<uintptr_t>(outBf16) & 7) == 0;
    const long long quads = vec ? n >> 2 : 0;
    for (long long q = first; q < quads; q += stride) {
        const float4 g = reinterpret_cast<const float4*>(gate)[q];
        const float4 u = reinterpret_cast<const float4*>(up)[q];
        const float4 v = make_float4(silu_times(g.x, u.x), silu_times(g.y, u.y), silu_times(g.z, u.z),
                                     silu_times(g.w, u.w));
        reinterpret_cast<float4*>(out)[q] = v;
        __nv_bfloat162* ob = reinterpret_cast<__nv_bfloat162*>(outBf16) + 2 * q;
        ob[0] = __floats2bfloat162_rn(v.x, v.y);
        ob[1] = __floats2bfloat162_rn(v.z, v.w);
    }
    for (long long i = (quads << 2) + first; i < n; i += stride) {
        const float v = silu_times(gate[i], up[i]);
        out[i] = v;
        outBf16[i] = __float2bfloat16(v);
    }
}

// silu_mul on bf16 gate and up, bf16 out, fp32 math: the bf16 MLP (aegaeon.cuda.bf16Mlp), where
// the gate and up products write bf16 and only the down product's bf16 operand is needed, so no
// fp32 [tokens x intermediate] is read or written. Eight values per step (16-byte loads and
// stores) where the pointers allow; a scalar loop takes the tail of n. out may alias gate (each
// element is read before it is written, by the same thread).
__device__ __forceinline__ __nv_bfloat162 silu_times2(__nv_bfloat162 g, __nv_bfloat162 u) {
    const float2 a = __bfloat1622float2(g), b = __bfloat1622float2(u);
    return __floats2bfloat162_rn(silu_times(a.x, b.x), silu_times(a.y, b.y));
}

extern "C" __global__ void silu_mul_bf16(const bf16* gate, const bf16* __restrict__ up, bf16* out, long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    const bool vec = ((reinterpret_cast<uintptr_t>(gate) | reinterpret_cast<uintptr_t>(up)
                      | reinterpret_cast<uintptr_t>(out)) & 15) == 0;
    const long long octs = vec ? n >> 3 : 0;
    for (long long q = first; q < octs; q += stride) {
        uint4 g = reinterpret_cast<const uint4*>(gate)[q];
        const uint4 u = reinterpret_cast<const uint4*>(up)[q];
        __nv_bfloat162* g2 = reinterpret_cast<__nv_bfloat162*>(&g);
        const __nv_bfloat162* u2 = reinterpret_cast<const __nv_bfloat162*>(&u);
#pragma unroll
        for (int j = 0; j < 4; j++) g2[j] = silu_times2(g2[j], u2[j]);
        reinterpret_cast<uint4*>(out)[q] = g;
    }
    for (long long i = (octs << 3) + first; i < n; i += stride) {
        out[i] = __float2bfloat16(silu_times(__bfloat162float(gate[i]), __bfloat162float(up[i])));
    }
}

// dst = bf16(src), n values: the operand of the bf16 matrix products.
extern "C" __global__ void f32_to_bf16(const float* __restrict__ src, bf16* __restrict__ dst, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        dst[i] = __float2bfloat16(src[i]);
}

// dst[i, :] = src[rows[i], :].
extern "C" __global__ void gather_rows(const float* __restrict__ src, const int* __restrict__ rows,
                                       float* __restrict__ dst, int cols) {
    const float* s = src + (size_t)rows[blockIdx.x] * cols;
    float* d = dst + (size_t)blockIdx.x * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) d[i] = s[i];
}

// Stores each token's K and V rows (kvDim wide, fp32) as bf16 into its cache slot
// (slot = page * tokensPerPage + token in page); a slot of -1 is padding and skipped.
extern "C" __global__ void kv_write(const float* __restrict__ k, const float* __restrict__ v, int kvDim,
                                    bf16* __restrict__ pool, long long pageElems, int layer,
                                    int tokensPerPage, const int* __restrict__ slots) {
    const int t = blockIdx.x, slot = slots[t];
    if (slot < 0) return;
    const int page = slot / tokensPerPage, tok = slot - page * tokensPerPage;
    bf16* kd = pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim);
    bf16* vd = pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim);
    const float* ks = k + (size_t)t * kvDim;
    const float* vs = v + (size_t)t * kvDim;
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
        kd[i] = __float2bfloat16(ks[i]);
        vd[i] = __float2bfloat16(vs[i]);
    }
}

// Deterministic filler: bf16(offset + scale * u), u uniform in [-1, 1) from a hash of (seed, i).
// Fills benchmark KV caches with realistic non-zero values without host traffic.
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
