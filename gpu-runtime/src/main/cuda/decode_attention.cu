// Decode attention split over keys (flash-decoding) with GQA, for one query row per sequence.
//
// Pass 1, decode_attention_split_g<G>[_hd256]: grid (maxChunks, numKvHeads, sequences), 128
// threads. A block takes keys [chunk * chunkKeys, min(len, (chunk + 1) * chunkKeys)) of ONE KV
// head and computes, for each of the `group` query heads sharing it, the chunk's softmax max m,
// sum l (log2 domain) and unnormalised accumulator sum_j 2^(s_j - m) v_j. Each key and value row
// is read once for all `group` heads. Chunks that start past the sequence's length exit at once,
// so the grid (fixed per step graph) may be larger than what the current lengths need.
// Inside a block: 8 half-warps ("slots"), 16 lanes each over the head dimension (8 consecutive
// bf16 = one 16-byte load per lane per 128 dims); keys come in tiles of 16 (two per slot), the
// next tile's K and V loaded into registers while the current one is computed; online softmax
// across tiles (the tile max and sum are per head in shared memory).
// Pass 2, decode_attention_combine: grid (numHeads, sequences), 128 threads: the chunks' partials
// merged into the output row (fp32).
// Partials live in the caller's workspace: acc [seq][head][maxChunks][headDim] floats, then
// ml [seq][head][maxChunks] float2 (m, l).
#include "common.cuh"

namespace {
constexpr int TILE = 16;   // keys per tile: 8 slots x 2
constexpr int KPS = 2;     // keys per slot per tile
constexpr int NWARP = 4;

template <int C>
__device__ __forceinline__ void load_kv_tile(uint4 (&k)[KPS][C], uint4 (&v)[KPS][C], const bf16* __restrict__ pool,
                                             const int* __restrict__ table, long long pageElems, int layer,
                                             int tokensPerPage, int kvDim, int headOff, int headDim, int t0, int end,
                                             int slot, int hl) {
#pragma unroll
    for (int i = 0; i < KPS; ++i) {
        const int j = t0 + slot + 8 * i;
        const bool valid = j < end;
        int page = 0, tok = 0;
        if (valid) { page = table[j / tokensPerPage]; tok = j % tokensPerPage; }
#pragma unroll
        for (int c = 0; c < C; ++c) {
            const int e = 8 * hl + 128 * c;
            k[i][c] = make_uint4(0u, 0u, 0u, 0u);  // bf16 zeros
            v[i][c] = make_uint4(0u, 0u, 0u, 0u);
            if (valid && e < headDim) {
                k[i][c] = __ldg(reinterpret_cast<const uint4*>(
                    pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim) + headOff + e));
                v[i][c] = __ldg(reinterpret_cast<const uint4*>(
                    pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim) + headOff + e));
            }
        }
    }
}

__device__ __forceinline__ void unpack8(const uint4& raw, float (&f)[8]) {
    const __nv_bfloat162* p = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
        const float2 t = __bfloat1622float2(p[j]);
        f[2 * j] = t.x;
        f[2 * j + 1] = t.y;
    }
}
}  // namespace

// G: most query heads per KV head (group <= G); C: 128-wide parts of the head (headDim <= 128 C).
template <int G, int C>
__device__ __forceinline__ void split_body(
    const float* __restrict__ q, int qRowStride, const bf16* __restrict__ pool, long long pageElems, int layer,
    int tokensPerPage, int numKvHeads, int headDim, int group, const int* __restrict__ tokSeq,
    const int* __restrict__ tokPos, const int* __restrict__ blockTables, int maxPages, float scale, int chunkKeys,
    int maxChunks, float* __restrict__ partAcc, float2* __restrict__ partMl) {
    __shared__ float sP[2][G][TILE];     // scores, then probabilities, of a tile (double-buffered)
    __shared__ float sAlpha[2][G];       // rescale of the running accumulator at that tile
    __shared__ float sRed[NWARP][G][C * 128];
    __shared__ __align__(16) float sQ[G][C * 128];  // scaled queries: shared memory, not 8 G C registers
    const int chunk = blockIdx.x, kvh = blockIdx.y, t = blockIdx.z;
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, hl = lane & 15, slot = tid >> 4;
    const int len = tokPos[t] + 1;
    const int start = chunk * chunkKeys;
    if (start >= len) return;  // block-uniform: no barrier is skipped by part of the block
    const int end = min(len, start + chunkKeys);
    const int* table = blockTables + (size_t)tokSeq[t] * maxPages;
    const int kvDim = numKvHeads * headDim, headOff = kvh * headDim;
    const float qScale = scale * 1.4426950408889634f;  // scores in log2 units: exp2 below

    for (int idx = tid; idx < G * C * 128; idx += blockDim.x) {
        const int g = idx / (C * 128), e = idx % (C * 128);
        sQ[g][e] = g < group && e < headDim ? q[(size_t)t * qRowStride + (size_t)(kvh * group + g) * headDim + e] * qScale : 0.f;
    }
    float acc[G][C][8];
#pragma unroll
    for (int g = 0; g < G; ++g)
#pragma unroll
        for (int c = 0; c < C; ++c)
#pragma unroll
            for (int i = 0; i < 8; ++i) acc[g][c][i] = 0.f;
    __syncthreads();
    // Running max / sum of heads warp and warp + NWARP (kept by every lane of that warp).
    float mRun[2] = {-INFINITY, -INFINITY}, lRun[2] = {0.f, 0.f};

    uint4 kc[KPS][C], vc[KPS][C];
    load_kv_tile<C>(kc, vc, pool, table, pageElems, layer, tokensPerPage, kvDim, headOff, headDim, start, end, slot, hl);
    int buf = 0;
    for (int t0 = start; t0 < end; t0 += TILE, buf ^= 1) {
        uint4 kn[KPS][C], vn[KPS][C];  // next tile in flight while this one is computed
        load_kv_tile<C>(kn, vn, pool, table, pageElems, layer, tokensPerPage, kvDim, headOff, headDim, t0 + TILE, end,
                        slot, hl);
        // 1. scores: 16 lanes per key, reduced within the half-warp.
#pragma unroll
        for (int i = 0; i < KPS; ++i) {
            float kf[C][8];
#pragma unroll
            for (int c = 0; c < C; ++c) unpack8(kc[i][c], kf[c]);
            const bool valid = t0 + slot + 8 * i < end;
#pragma unroll
            for (int g = 0; g < G; ++g) {
                if (g >= group) break;
                float s = 0.f;
#pragma unroll
                for (int c = 0; c < C; ++c) {
                    const float4 qa = *reinterpret_cast<const float4*>(&sQ[g][128 * c + 8 * hl]);
                    const float4 qb = *reinterpret_cast<const float4*>(&sQ[g][128 * c + 8 * hl + 4]);
                    const float qf[8] = {qa.x, qa.y, qa.z, qa.w, qb.x, qb.y, qb.z, qb.w};
#pragma unroll
                    for (int x = 0; x < 8; ++x) s = fmaf(qf[x], kf[c][x], s);
                }
                s += __shfl_xor_sync(0xffffffffu, s, 8);
                s += __shfl_xor_sync(0xffffffffu, s, 4);
                s += __shfl_xor_sync(0xffffffffu, s, 2);
                s += __shfl_xor_sync(0xffffffffu, s, 1);
                if (hl == 0) sP[buf][g][slot + 8 * i] = valid ? s : -INFINITY;
            }
        }
        __syncthreads();
        // 2. per head: tile max, probabilities, running max and sum (warp w: heads w, w + 4).
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            const int g = warp + NWARP * r;
            if (g < G && g < group) {
                const float s = lane < TILE ? sP[buf][g][lane] : -INFINITY;
                const float mNew = fmaxf(mRun[r], warp_max(s));  // finite: a tile has a valid key
                const float p = lane < TILE ? exp2f(s - mNew) : 0.f;
                const float alpha = exp2f(mRun[r] - mNew);      // 0 on the first tile
                lRun[r] = lRun[r] * alpha + warp_sum(p);
                mRun[r] = mNew;
                if (lane < TILE) sP[buf][g][lane] = p;
                if (lane == 0) sAlpha[buf][g] = alpha;
            }
        }
        __syncthreads();
        // 3. acc = acc * alpha + sum over this slot's keys of p * v. The next tile writes the
        // other buffer, so no barrier is needed before it.
#pragma unroll
        for (int i = 0; i < KPS; ++i) {
            float vf[C][8];
#pragma unroll
            for (int c = 0; c < C; ++c) unpack8(vc[i][c], vf[c]);
#pragma unroll
            for (int g = 0; g < G; ++g) {
                if (g >= group) break;
                const float p = sP[buf][g][slot + 8 * i];
                const float a = i == 0 ? sAlpha[buf][g] : 1.f;
#pragma unroll
                for (int c = 0; c < C; ++c)
#pragma unroll
                    for (int x = 0; x < 8; ++x) acc[g][c][x] = fmaf(p, vf[c][x], acc[g][c][x] * a);
            }
        }
#pragma unroll
        for (int i = 0; i < KPS; ++i)
#pragma unroll
            for (int c = 0; c < C; ++c) { kc[i][c] = kn[i][c]; vc[i][c] = vn[i][c]; }
    }
    // Sum the 8 slots: the two half-warps by shuffle, the four warps through shared memory.
#pragma unroll
    for (int g = 0; g < G; ++g) {
        if (g >= group) break;
#pragma unroll
        for (int c = 0; c < C; ++c)
#pragma unroll
            for (int x = 0; x < 8; ++x) {
                const float v = acc[g][c][x] + __shfl_xor_sync(0xffffffffu, acc[g][c][x], 16);
                if (lane < 16) sRed[warp][g][128 * c + 8 * hl + x] = v;
            }
    }
    __syncthreads();
    const size_t base = ((size_t)t * numKvHeads * group + (size_t)kvh * group) * maxChunks + chunk;
    for (int idx = tid; idx < group * headDim; idx += blockDim.x) {
        const int g = idx / headDim, e = idx % headDim;
        float v = 0.f;
#pragma unroll
        for (int w = 0; w < NWARP; ++w) v += sRed[w][g][e];
        partAcc[(base + (size_t)g * maxChunks) * headDim + e] = v;
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        const int g = warp + NWARP * r;
        if (g < G && g < group && lane == 0) partMl[base + (size_t)g * maxChunks] = make_float2(mRun[r], lRun[r]);
    }
}

#define DECODE_SPLIT(NAME, G, C)                                                                    \
    extern "C" __global__ void __launch_bounds__(128) NAME(                                         \
        const float* __restrict__ q, int qRowStride, const bf16* __restrict__ pool, long long pageElems, \
        int layer, int tokensPerPage, int numKvHeads, int headDim, int group,                       \
        const int* __restrict__ tokSeq, const int* __restrict__ tokPos,                             \
        const int* __restrict__ blockTables, int maxPages, float scale, int chunkKeys, int maxChunks, \
        float* __restrict__ partAcc, float2* __restrict__ partMl) {                                 \
        split_body<G, C>(q, qRowStride, pool, pageElems, layer, tokensPerPage, numKvHeads, headDim,  \
                         group, tokSeq, tokPos, blockTables, maxPages, scale, chunkKeys, maxChunks,   \
                         partAcc, partMl);                                                           \
    }
DECODE_SPLIT(decode_attention_split_g1, 1, 1)
DECODE_SPLIT(decode_attention_split_g2, 2, 1)
DECODE_SPLIT(decode_attention_split_g4, 4, 1)
DECODE_SPLIT(decode_attention_split_g8, 8, 1)
DECODE_SPLIT(decode_attention_split_g4_hd256, 4, 2)

// out[t, h, :] = sum_c 2^(m_c - M) acc_c / sum_c 2^(m_c - M) l_c over the chunks that hold keys of
// sequence t (ceil(len / chunkKeys) of them), M = max_c m_c.
extern "C" __global__ void __launch_bounds__(128) decode_attention_combine(
    const float* __restrict__ partAcc, const float2* __restrict__ partMl, float* __restrict__ out,
    int outRowStride, int numHeads, int headDim, const int* __restrict__ tokPos, int chunkKeys, int maxChunks) {
    const int h = blockIdx.x, t = blockIdx.y;
    const int chunks = min(maxChunks, (tokPos[t] + chunkKeys) / chunkKeys);  // ceil((last + 1) / chunkKeys)
    const size_t base = ((size_t)t * numHeads + h) * maxChunks;
    float gm = -INFINITY;
    for (int c = 0; c < chunks; ++c) gm = fmaxf(gm, partMl[base + c].x);
    float* o = out + (size_t)t * outRowStride + (size_t)h * headDim;
    for (int e = threadIdx.x; e < headDim; e += blockDim.x) {
        float v = 0.f, l = 0.f;
        for (int c = 0; c < chunks; ++c) {
            const float2 ml = partMl[base + c];
            const float w = exp2f(ml.x - gm);
            l = fmaf(ml.y, w, l);
            v = fmaf(partAcc[(base + c) * headDim + e], w, v);
        }
        o[e] = v / l;
    }
}
