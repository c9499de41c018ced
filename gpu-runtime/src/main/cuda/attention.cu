// Attention over the paged KV cache, GQA (query head h reads KV head h / group).
#include "common.cuh"
#include <mma.h>
using namespace nvcuda;

// General paged attention: one block (16 warps) per (query head, query token). Token t belongs to
// sequence tokSeq[t] at position tokPos[t] and attends causally to keys 0..tokPos[t] of that
// sequence. Serves every decode step and the prefill of head sizes the tensor-core kernel lacks.
// Warps stride over keys with an online softmax each; lanes split the head dimension (<= 256).
extern "C" __global__ void __launch_bounds__(512) paged_attention(
    const float* __restrict__ q, int qRowStride, float* __restrict__ out, int outRowStride,
    const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,
    int numKvHeads, int headDim, int group, const int* __restrict__ tokSeq,
    const int* __restrict__ tokPos, const int* __restrict__ blockTables, int maxPages, float scale) {
    constexpr int MAXE = 8, NW = 16;  // 16 warps: a short serial chain per warp at batch 1
    const int h = blockIdx.x, t = blockIdx.y, kvh = h / group, kvDim = numKvHeads * headDim;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int seq = tokSeq[t], last = tokPos[t];
    const int* table = blockTables + (size_t)seq * maxPages;
    const float* qh = q + (size_t)t * qRowStride + (size_t)h * headDim;
    float qv[MAXE], acc[MAXE];
#pragma unroll
    for (int i = 0; i < MAXE; ++i) {
        const int e = lane + 32 * i;
        qv[i] = e < headDim ? qh[e] * scale : 0.f;
        acc[i] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    for (int j = warp; j <= last; j += NW) {
        const int page = table[j / tokensPerPage], tok = j % tokensPerPage;
        const bf16* kr = pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim) + (size_t)kvh * headDim;
        const bf16* vr = pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim) + (size_t)kvh * headDim;
        float s = 0.f;
#pragma unroll
        for (int i = 0; i < MAXE; ++i) {
            const int e = lane + 32 * i;
            if (e < headDim) s = fmaf(qv[i], __bfloat162float(kr[e]), s);
        }
        s = warp_sum(s);
        const float mNew = fmaxf(m, s);
        const float alpha = __expf(m - mNew), p = __expf(s - mNew);
        l = l * alpha + p;
#pragma unroll
        for (int i = 0; i < MAXE; ++i) {
            const int e = lane + 32 * i;
            const float v = e < headDim ? __bfloat162float(vr[e]) : 0.f;
            acc[i] = fmaf(acc[i], alpha, p * v);
        }
        m = mNew;
    }
    // Merge the warps' partial softmaxes.
    __shared__ float shM[NW], shL[NW], shAcc[NW][256];
    if (lane == 0) { shM[warp] = m; shL[warp] = l; }
#pragma unroll
    for (int i = 0; i < MAXE; ++i) {
        const int e = lane + 32 * i;
        if (e < headDim) shAcc[warp][e] = acc[i];
    }
    __syncthreads();
    float gm = -INFINITY;
#pragma unroll
    for (int w = 0; w < NW; ++w) gm = fmaxf(gm, shM[w]);
    float gl = 0.f, wsc[NW];
#pragma unroll
    for (int w = 0; w < NW; ++w) {
        wsc[w] = shM[w] == -INFINITY ? 0.f : __expf(shM[w] - gm);
        gl += shL[w] * wsc[w];
    }
    float* o = out + (size_t)t * outRowStride + (size_t)h * headDim;
    for (int e = threadIdx.x; e < headDim; e += blockDim.x) {
        float v = 0.f;
#pragma unroll
        for (int w = 0; w < NW; ++w) v += shAcc[w][e] * wsc[w];
        o[e] = v / gl;
    }
}

// Causal prefill attention on tensor cores for ONE sequence whose query tokens are rows
// 0..T-1 at positions p0..p0+T-1 (keys 0..p0+T-1 are already in the cache). grid
// (ceil(T/64), numHeads), 4 warps x 16 query rows. S = QK^T and O += PV use wmma (bf16 in,
// fp32 out); the online softmax runs on S in shared memory, O lives in shared memory so its
// rows can be rescaled.
template <int HD>
__device__ __forceinline__ void prefill_body(const float* __restrict__ q, int qRowStride,
                                             float* __restrict__ out, int outRowStride,
                                             const bf16* __restrict__ pool, long long pageElems,
                                             int layer, int tokensPerPage, int numKvHeads, int group,
                                             const int* __restrict__ table, int T, int p0,
                                             float scale) {
    constexpr int BQ = 64, BKEY = 64, LDK = HD + 8, LDSS = BKEY + 4, LDP = BKEY + 8, LDO = HD + 4;
    extern __shared__ __align__(128) unsigned char smem[];
    bf16* Ks = reinterpret_cast<bf16*>(smem);            // [BKEY][LDK] (also stages Q)
    bf16* Vs = Ks + BKEY * LDK;                          // [BKEY][LDK]
    float* Ss = reinterpret_cast<float*>(Vs + BKEY * LDK);  // [4][16][LDSS]
    bf16* Ps = reinterpret_cast<bf16*>(Ss + 4 * 16 * LDSS);  // [4][16][LDP]
    float* Os = reinterpret_cast<float*>(Ps + 4 * 16 * LDP); // [4][16][LDO]

    const int h = blockIdx.y, kvh = h / group, kvDim = numKvHeads * HD;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int q0 = blockIdx.x * BQ;
    const int qEnd = min(q0 + BQ, T);

    // Stage Q (64 rows) through Ks, then keep it in fragments.
    for (int c = threadIdx.x; c < BQ * (HD / 8); c += blockDim.x) {
        const int r = c / (HD / 8), e = (c % (HD / 8)) * 8;
        const float* src = q + (size_t)(q0 + r) * qRowStride + (size_t)h * HD + e;
#pragma unroll
        for (int i = 0; i < 8; ++i) Ks[r * LDK + e + i] = __float2bfloat16(q0 + r < T ? src[i] : 0.f);
    }
    float* O = Os + warp * 16 * LDO;
    for (int i = lane; i < 16 * LDO; i += 32) O[i] = 0.f;
    __syncthreads();
    wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> qf[HD / 16];
#pragma unroll
    for (int d = 0; d < HD / 16; ++d) wmma::load_matrix_sync(qf[d], Ks + warp * 16 * LDK + d * 16, LDK);
    __syncthreads();

    float* S = Ss + warp * 16 * LDSS;
    bf16* P = Ps + warp * 16 * LDP;
    const int row = lane >> 1, halfSel = lane & 1;
    const int qPos = p0 + q0 + warp * 16 + row;  // position of this lane's query row
    const bool rowValid = q0 + warp * 16 + row < T;
    float m = -INFINITY, l = 0.f;
    const float sl2 = scale * 1.4426950408889634f;

    const int keyEnd = p0 + qEnd;  // exclusive
    for (int k0 = 0; k0 < keyEnd; k0 += BKEY) {
        for (int c = threadIdx.x; c < BKEY * (HD / 8); c += blockDim.x) {
            const int r = c / (HD / 8), e = (c % (HD / 8)) * 8;
            const int j = k0 + r;
            uint4 kv = make_uint4(0, 0, 0, 0), vv = make_uint4(0, 0, 0, 0);
            if (j < keyEnd) {
                const int page = table[j / tokensPerPage], tok = j % tokensPerPage;
                kv = *reinterpret_cast<const uint4*>(pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim) + (size_t)kvh * HD + e);
                vv = *reinterpret_cast<const uint4*>(pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim) + (size_t)kvh * HD + e);
            }
            *reinterpret_cast<uint4*>(Ks + r * LDK + e) = kv;
            *reinterpret_cast<uint4*>(Vs + r * LDK + e) = vv;
        }
        __syncthreads();
        // S = Q K^T for this warp's 16 rows x 64 keys.
#pragma unroll
        for (int nb = 0; nb < BKEY / 16; ++nb) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> sf;
            wmma::fill_fragment(sf, 0.f);
#pragma unroll
            for (int d = 0; d < HD / 16; ++d) {
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> kf;
                wmma::load_matrix_sync(kf, Ks + nb * 16 * LDK + d * 16, LDK);
                wmma::mma_sync(sf, qf[d], kf, sf);
            }
            wmma::store_matrix_sync(S + nb * 16, sf, LDSS, wmma::mem_row_major);
        }
        __syncwarp();
        // Online softmax: two lanes per row, 32 columns each.
        float* srow = S + row * LDSS + halfSel * 32;
        float tmax = -INFINITY;
        for (int c = 0; c < 32; ++c) {
            const int j = k0 + halfSel * 32 + c;
            const float s = (rowValid && j <= qPos) ? srow[c] * sl2 : -INFINITY;
            srow[c] = s;
            tmax = fmaxf(tmax, s);
        }
        tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 1));
        const float mNew = fmaxf(m, tmax);
        const float alpha = mNew == -INFINITY ? 1.f : exp2f(m - mNew);
        float psum = 0.f;
        bf16* prow = P + row * LDP + halfSel * 32;
        for (int c = 0; c < 32; ++c) {
            const float p = mNew == -INFINITY ? 0.f : exp2f(srow[c] - mNew);
            const bf16 pb = __float2bfloat16(p);
            psum += __bfloat162float(pb);  // normalise by what the tensor cores actually sum
            prow[c] = pb;
        }
        psum += __shfl_xor_sync(0xffffffffu, psum, 1);
        l = l * alpha + psum;
        m = mNew;
        float* orow = O + row * LDO + halfSel * (HD / 2);
        for (int c = 0; c < HD / 2; ++c) orow[c] *= alpha;
        __syncwarp();
        // O += P V
#pragma unroll
        for (int db = 0; db < HD / 16; ++db) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> of;
            wmma::load_matrix_sync(of, O + db * 16, LDO, wmma::mem_row_major);
#pragma unroll
            for (int kk = 0; kk < BKEY / 16; ++kk) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> pf;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major> vf;
                wmma::load_matrix_sync(pf, P + kk * 16, LDP);
                wmma::load_matrix_sync(vf, Vs + kk * 16 * LDK + db * 16, LDK);
                wmma::mma_sync(of, pf, vf, of);
            }
            wmma::store_matrix_sync(O + db * 16, of, LDO, wmma::mem_row_major);
        }
        __syncthreads();  // Ks/Vs are overwritten next tile
    }
    if (rowValid) {
        const float inv = 1.f / l;
        float* o = out + (size_t)(q0 + warp * 16 + row) * outRowStride + (size_t)h * HD + halfSel * (HD / 2);
        const float* orow = O + row * LDO + halfSel * (HD / 2);
        for (int c = 0; c < HD / 2; ++c) o[c] = orow[c] * inv;
    }
}

#define PREFILL(HD)                                                                                \
    extern "C" __global__ void __launch_bounds__(128) prefill_attention_hd##HD(                   \
        const float* __restrict__ q, int qRowStride, float* __restrict__ out, int outRowStride,   \
        const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,         \
        int numKvHeads, int group, const int* __restrict__ table, int T, int p0, float scale) {   \
        prefill_body<HD>(q, qRowStride, out, outRowStride, pool, pageElems, layer, tokensPerPage,  \
                         numKvHeads, group, table, T, p0, scale);                                  \
    }

PREFILL(64)
PREFILL(128)

// Decode attention for larger batches, GQA-aware: one block (8 warps) per (KV head, query token)
// serves the `group` query heads that share the KV head, so each key and value row is read once
// instead of once per query head (the per-head kernel above re-reads it `group` times: 7x for
// Qwen2.5-7B). Warps stride over keys with an online softmax per head; a lane holds 4 consecutive
// elements per 128-wide chunk (8-byte loads). Needs headDim % 4 == 0, headDim <= 128 * C and
// group <= G (CudaOps checks). Only worth it when tokens x KV heads fill the GPU.
template <int G, int C>
__device__ __forceinline__ void paged_attention_gqa_body(
    const float* __restrict__ q, int qRowStride, float* __restrict__ out, int outRowStride,
    const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,
    int numKvHeads, int headDim, int group, const int* __restrict__ tokSeq,
    const int* __restrict__ tokPos, const int* __restrict__ blockTables, int maxPages, float scale) {
    constexpr int NW = 8;
    __shared__ float shM[NW][G], shL[NW][G], shAcc[NW][G][128 * C];
    const int kvh = blockIdx.x, t = blockIdx.y, kvDim = numKvHeads * headDim;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int seq = tokSeq[t], last = tokPos[t];
    const int* table = blockTables + (size_t)seq * maxPages;
    float qv[G][C][4], acc[G][C][4], m[G], l[G];
#pragma unroll
    for (int g = 0; g < G; ++g) {
        m[g] = -INFINITY;
        l[g] = 0.f;
        const float* qh = q + (size_t)t * qRowStride + (size_t)(kvh * group + g) * headDim;
#pragma unroll
        for (int c = 0; c < C; ++c)
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int e = 4 * lane + 128 * c + i;
                qv[g][c][i] = (g < group && e < headDim) ? qh[e] * scale : 0.f;
                acc[g][c][i] = 0.f;
            }
    }
    for (int j = warp; j <= last; j += NW) {
        const int page = table[j / tokensPerPage], tok = j % tokensPerPage;
        const bf16* kr = pool + kv_offset(page, pageElems, layer, 0, tokensPerPage, tok, kvDim) + (size_t)kvh * headDim;
        const bf16* vr = pool + kv_offset(page, pageElems, layer, 1, tokensPerPage, tok, kvDim) + (size_t)kvh * headDim;
        float kf[C][4], vf[C][4];
#pragma unroll
        for (int c = 0; c < C; ++c) {
            const int e = 4 * lane + 128 * c;
            uint2 kraw = make_uint2(0u, 0u), vraw = make_uint2(0u, 0u);  // bf16 zeros
            if (e < headDim) {
                kraw = __ldg(reinterpret_cast<const uint2*>(kr + e));
                vraw = __ldg(reinterpret_cast<const uint2*>(vr + e));
            }
            const __nv_bfloat162* k2 = reinterpret_cast<const __nv_bfloat162*>(&kraw);
            const __nv_bfloat162* v2 = reinterpret_cast<const __nv_bfloat162*>(&vraw);
            const float2 k01 = __bfloat1622float2(k2[0]), k23 = __bfloat1622float2(k2[1]);
            const float2 v01 = __bfloat1622float2(v2[0]), v23 = __bfloat1622float2(v2[1]);
            kf[c][0] = k01.x; kf[c][1] = k01.y; kf[c][2] = k23.x; kf[c][3] = k23.y;
            vf[c][0] = v01.x; vf[c][1] = v01.y; vf[c][2] = v23.x; vf[c][3] = v23.y;
        }
#pragma unroll
        for (int g = 0; g < G; ++g) {
            float s = 0.f;
#pragma unroll
            for (int c = 0; c < C; ++c)
#pragma unroll
                for (int i = 0; i < 4; ++i) s = fmaf(qv[g][c][i], kf[c][i], s);
            s = warp_sum(s);
            const float mNew = fmaxf(m[g], s);
            const float alpha = __expf(m[g] - mNew), p = __expf(s - mNew);
            l[g] = l[g] * alpha + p;
#pragma unroll
            for (int c = 0; c < C; ++c)
#pragma unroll
                for (int i = 0; i < 4; ++i) acc[g][c][i] = fmaf(acc[g][c][i], alpha, p * vf[c][i]);
            m[g] = mNew;
        }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) {
        if (lane == 0) { shM[warp][g] = m[g]; shL[warp][g] = l[g]; }
#pragma unroll
        for (int c = 0; c < C; ++c)
#pragma unroll
            for (int i = 0; i < 4; ++i) shAcc[warp][g][4 * lane + 128 * c + i] = acc[g][c][i];
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < group * headDim; idx += blockDim.x) {
        const int g = idx / headDim, e = idx % headDim;
        float gm = -INFINITY;
#pragma unroll
        for (int w = 0; w < NW; ++w) gm = fmaxf(gm, shM[w][g]);
        float gl = 0.f, v = 0.f;
#pragma unroll
        for (int w = 0; w < NW; ++w) {
            const float sc = shM[w][g] == -INFINITY ? 0.f : __expf(shM[w][g] - gm);
            gl += shL[w][g] * sc;
            v += shAcc[w][g][e] * sc;
        }
        out[(size_t)t * outRowStride + (size_t)(kvh * group + g) * headDim + e] = v / gl;
    }
}

#define PAGED_GQA(NAME, G, C)                                                                      \
    extern "C" __global__ void __launch_bounds__(256) NAME(                                        \
        const float* __restrict__ q, int qRowStride, float* __restrict__ out, int outRowStride,    \
        const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,          \
        int numKvHeads, int headDim, int group, const int* __restrict__ tokSeq,                    \
        const int* __restrict__ tokPos, const int* __restrict__ blockTables, int maxPages,         \
        float scale) {                                                                             \
        paged_attention_gqa_body<G, C>(q, qRowStride, out, outRowStride, pool, pageElems, layer,   \
                                       tokensPerPage, numKvHeads, headDim, group, tokSeq, tokPos,  \
                                       blockTables, maxPages, scale);                              \
    }
PAGED_GQA(paged_attention_gqa_g2, 2, 1)
PAGED_GQA(paged_attention_gqa_g4, 4, 1)
PAGED_GQA(paged_attention_gqa_g8, 8, 1)
PAGED_GQA(paged_attention_gqa_g4_hd256, 4, 2)
