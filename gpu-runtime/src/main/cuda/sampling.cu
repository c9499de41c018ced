// Token selection on the device: one block of 1024 threads per logits row; only the chosen ids
// travel to the host. Semantics follow HF's warpers: logits / temperature, then top-k (keeps
// every value >= the k-th largest), then top-p (keeps the largest values until their mass
// reaches p), then one draw u in [0, 1) from splitmix64(seed, step) scanned in index order.
// temperature <= 0 means greedy (the first index of the maximum, as torch.argmax).
#include "common.cuh"

// float -> unsigned key with the same order.
__device__ __forceinline__ unsigned order_key(float f) {
    const unsigned b = __float_as_uint(f);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ double uniform01(unsigned long long seed, long long step) {
    unsigned long long z = seed + (unsigned long long)step * 0x9E3779B97F4A7C15ull + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

__device__ double block_sum_d(double v, double* sh) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    const int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = blockDim.x >> 5;
    __syncthreads();
    if (l == 0) sh[w] = v;
    __syncthreads();
    if (w == 0) {
        double t = l < nw ? sh[l] : 0.0;
        for (int o = 16; o > 0; o >>= 1) t += __shfl_xor_sync(0xffffffffu, t, o);
        if (l == 0) sh[32] = t;
    }
    __syncthreads();
    return sh[32];
}

extern "C" __global__ void __launch_bounds__(1024) sample_tokens(
    const float* __restrict__ logits, int vocab, const float* __restrict__ temperature,
    const int* __restrict__ topK, const float* __restrict__ topP,
    const unsigned long long* __restrict__ seeds, const long long* __restrict__ steps,
    int* __restrict__ outIds) {
    __shared__ float shf[33];
    __shared__ double shd[33];
    __shared__ int shi[33];
    const int r = blockIdx.x, tid = threadIdx.x, nt = blockDim.x;
    const float* x = logits + (size_t)r * vocab;
    const float temp = temperature[r];

    // Maximum and its first index (argmax; also the softmax shift).
    float best = -INFINITY;
    int bestIdx = vocab;
    for (int i = tid; i < vocab; i += nt) {
        const float v = x[i];
        if (v > best) { best = v; bestIdx = i; }
    }
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, best, o);
        const int oi = __shfl_xor_sync(0xffffffffu, bestIdx, o);
        if (ov > best || (ov == best && oi < bestIdx)) { best = ov; bestIdx = oi; }
    }
    if ((tid & 31) == 0) { shf[tid >> 5] = best; shi[tid >> 5] = bestIdx; }
    __syncthreads();
    if (tid < 32) {
        float b = tid < (nt >> 5) ? shf[tid] : -INFINITY;
        int bi = tid < (nt >> 5) ? shi[tid] : vocab;
        for (int o = 16; o > 0; o >>= 1) {
            const float ov = __shfl_xor_sync(0xffffffffu, b, o);
            const int oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (ov > b || (ov == b && oi < bi)) { b = ov; bi = oi; }
        }
        if (tid == 0) { shf[32] = b; shi[32] = bi; }
    }
    __syncthreads();
    const float maxv = shf[32];
    const int argmax = shi[32];
    if (!(temp > 0.f)) {
        if (tid == 0) outIds[r] = argmax;
        return;
    }
    const float invT = 1.f / temp;
    const float zmax = maxv * invT;

    // Top-k threshold: the largest key t with count(key >= t) >= k, built bit by bit.
    const int k = topK[r];
    unsigned kThresh = 0;
    if (k > 0 && k < vocab) {
        for (int bit = 31; bit >= 0; --bit) {
            const unsigned cand = kThresh | (1u << bit);
            float cnt = 0.f;
            for (int i = tid; i < vocab; i += nt) cnt += order_key(x[i] * invT) >= cand ? 1.f : 0.f;
            if (block_sum(cnt, shf) >= (float)k) kThresh = cand;
        }
    }
    // Top-p threshold over the survivors of top-k: the largest key t with mass(key >= t) >= p.
    double total = 0.0;
    for (int i = tid; i < vocab; i += nt) {
        const float z = x[i] * invT;
        if (order_key(z) >= kThresh) total += (double)expf(z - zmax);
    }
    total = block_sum_d(total, shd);
    const float p = topP[r];
    unsigned thresh = kThresh;
    if (p < 1.f) {
        const double need = (double)p * total;
        unsigned t = 0;
        for (int bit = 31; bit >= 0; --bit) {
            const unsigned cand = t | (1u << bit);
            if (cand <= kThresh) { t = cand; continue; }  // everything top-k kept has mass total
            double mass = 0.0;
            for (int i = tid; i < vocab; i += nt) {
                const float z = x[i] * invT;
                if (order_key(z) >= cand) mass += (double)expf(z - zmax);
            }
            if (block_sum_d(mass, shd) >= need) t = cand;
        }
        thresh = max(t, kThresh);
    }
    // Kept mass, then the draw, scanned in index order over contiguous chunks per thread.
    const int chunk = (vocab + nt - 1) / nt;
    const int begin = min(vocab, tid * chunk), end = min(vocab, begin + chunk);
    double mine = 0.0;
    for (int i = begin; i < end; ++i) {
        const float z = x[i] * invT;
        if (order_key(z) >= thresh) mine += (double)expf(z - zmax);
    }
    __shared__ double prefix[1024];
    prefix[tid] = mine;
    __syncthreads();
    if (tid == 0) {
        double run = 0.0;
        for (int i = 0; i < nt; ++i) { const double v = prefix[i]; prefix[i] = run; run += v; }
        shd[32] = run;
    }
    __syncthreads();
    const double kept = shd[32];
    const double u = uniform01(seeds[r], steps[r]) * kept;
    if (tid == 0) shi[0] = -1;
    __syncthreads();
    double run = prefix[tid];
    if (u >= run && u < run + mine) {
        int pick = -1;
        for (int i = begin; i < end; ++i) {
            const float z = x[i] * invT;
            if (order_key(z) >= thresh) {
                pick = i;  // last kept index so far: rounding can never run past the chunk
                run += (double)expf(z - zmax);
                if (u < run) break;
            }
        }
        shi[0] = pick;
    }
    __syncthreads();
    if (tid == 0) outIds[r] = shi[0] >= 0 ? shi[0] : argmax;
}
