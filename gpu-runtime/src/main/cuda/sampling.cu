// Token selection on the device: one block of 1024 threads per logits row; only the chosen ids
// travel to the host. Same function as the engine's HostSampler: logits / temperature, then top-k
// (keeps every value >= the k-th largest), then top-p (the largest values until their mass
// reaches p), then the row's uniform u picks the token where the mass accumulated in descending
// order first exceeds u * kept mass. temperature <= 0 is greedy (first index of the maximum).
// Thresholds are found bit by bit over order-preserving integer keys, so nothing is sorted.
#include "common.cuh"

// float -> unsigned key with the same order.
__device__ __forceinline__ unsigned order_key(float f) {
    const unsigned b = __float_as_uint(f);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
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

// Largest key t (bit by bit from 0) with pred(t); pred must hold for t = 0 and be monotone.
template <typename Pred>
__device__ unsigned largest_key(Pred pred) {
    unsigned t = 0;
    for (int bit = 31; bit >= 0; --bit) {
        const unsigned cand = t | (1u << bit);
        if (pred(cand)) t = cand;
    }
    return t;
}

extern "C" __global__ void __launch_bounds__(1024) sample_tokens(
    const float* __restrict__ logits, int vocab, const float* __restrict__ temperature,
    const int* __restrict__ topK, const float* __restrict__ topP,
    const double* __restrict__ uniform, int* __restrict__ outIds) {
    __shared__ float shf[33];
    __shared__ double shd[33];
    __shared__ int shi[33];
    const int r = blockIdx.x, tid = threadIdx.x, nt = blockDim.x;
    const float* x = logits + (size_t)r * vocab;
    const float temp = temperature[r];

    // First index of the maximum (greedy; also the softmax shift).
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
    const float zmax = maxv / temp;
    auto mass_from = [&](unsigned key) {  // sum of exp(z - zmax) over keys >= key
        double m = 0.0;
        for (int i = tid; i < vocab; i += nt) {
            const float z = x[i] / temp;
            if (order_key(z) >= key) m += (double)expf(z - zmax);
        }
        return block_sum_d(m, shd);
    };

    unsigned kThresh = 0;
    const int k = topK[r];
    if (k > 0 && k < vocab) {
        kThresh = largest_key([&](unsigned cand) {
            float cnt = 0.f;
            for (int i = tid; i < vocab; i += nt) cnt += order_key(x[i] / temp) >= cand ? 1.f : 0.f;
            return block_sum(cnt, shf) >= (float)k;
        });
    }
    const double total = mass_from(kThresh);
    unsigned thresh = kThresh;
    const float p = topP[r];
    if (p < 1.f) {
        const double need = (double)p * total;
        thresh = max(kThresh, largest_key([&](unsigned cand) {
            return cand <= kThresh || mass_from(cand) >= need;
        }));
    }
    const double kept = thresh == kThresh ? total : mass_from(thresh);
    const double target = uniform[r] * kept;
    if (k <= 0 && !(p < 1.f)) {
        // No filter: the host sampler walks ids in index order. Contiguous chunks per thread, an
        // exclusive scan of their masses, then the one thread whose chunk holds the target.
        __shared__ double prefix[1024];
        const int chunk = (vocab + nt - 1) / nt, begin = min(vocab, tid * chunk), end = min(vocab, begin + chunk);
        double mine = 0.0;
        for (int i = begin; i < end; ++i) mine += (double)expf(x[i] / temp - zmax);
        prefix[tid] = mine;
        __syncthreads();
        if (tid == 0) {
            double run = 0.0;
            for (int i = 0; i < nt; ++i) { const double v = prefix[i]; prefix[i] = run; run += v; }
        }
        __syncthreads();
        double run = prefix[tid];
        const bool lastChunk = end == vocab && begin < end;
        if ((target >= run && target < run + mine) || (lastChunk && target >= run + mine)) {
            int pick = end - 1;
            for (int i = begin; i < end; ++i) {
                run += (double)expf(x[i] / temp - zmax);
                if (target < run) { pick = i; break; }
            }
            outIds[r] = pick;
        }
        return;
    }
    // The chosen value: the largest key whose mass from the top exceeds the target.
    unsigned chosen = largest_key([&](unsigned cand) {
        return cand <= thresh || mass_from(cand) > target;
    });
    chosen = max(chosen, thresh);
    // Usually one token holds the chosen key: take it. Ties walk ascending ids from the mass above
    // them, as the host sampler orders them (rare; one thread).
    __shared__ int firstIdx;
    if (tid == 0) firstIdx = vocab;
    __syncthreads();
    float ties = 0.f;
    for (int i = tid; i < vocab; i += nt) {
        if (order_key(x[i] / temp) == chosen) { ties += 1.f; atomicMin(&firstIdx, i); }
    }
    ties = block_sum(ties, shf);
    if (ties <= 1.f) {
        if (tid == 0) outIds[r] = firstIdx < vocab ? firstIdx : argmax;
        return;
    }
    const double above = chosen == 0xffffffffu ? 0.0 : mass_from(chosen + 1);
    if (tid == 0) {
        double run = above;
        int pick = -1, last = -1;
        for (int i = 0; i < vocab; ++i) {
            const float z = x[i] / temp;
            if (order_key(z) == chosen) {
                last = i;
                run += (double)expf(z - zmax);
                if (target < run) { pick = i; break; }
            }
        }
        outIds[r] = pick >= 0 ? pick : last;
    }
}
