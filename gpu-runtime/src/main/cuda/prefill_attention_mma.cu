// Causal prefill attention, FlashAttention-2 style: mma.sync.m16n8k16 (bf16 in, fp32 accumulate)
// with Q, S, P and O in registers. Same arguments, grid and semantics as prefill_attention_hd<HD>
// (attention.cu): ONE sequence whose query rows 0..T-1 (row stride qRowStride floats, head h at
// column h * HD) sit at positions p0..p0+T-1 and attend causally to keys 0..p0+T-1, which are
// already in the paged bf16 cache; out rows 0..T-1 (fp32, row stride outRowStride). Opt-in
// (CudaOps.PREFILL_ATTENTION_MMA_PROPERTY) until a GPU run has checked it.
//
// Grid (ceil(T / 64), numHeads), 128 threads = 4 warps, dynamic shared memory
// 2 stages x 64 keys x (K, V) x (HD + 8) bf16 = 36,864 B (HD 64) / 69,632 B (HD 128).
// The block id is remapped so that the heaviest query blocks (the last rows, most keys) start
// first, heads fastest (heads sharing a KV head run side by side and share its rows in L2).
// Per block: 64 query rows of one head; warp w owns rows 16w..16w+15. Keys go in tiles of 64
// (4 sub-tiles of 16, warp w copies sub-tile w with cp.async: mma_fragments.cuh's load_kv_sub,
// which reads the block table once per key row); the next tile is copied while this one is
// computed (double buffer, one __syncthreads per tile). Tiles past the block's last row are never
// loaded; a warp skips tiles that lie entirely above its own rows' diagonal.
// Per tile, per warp:
//   S (16 x 64) = Q K^T: Q as A fragments (rounded to bf16 once, kept for the whole loop), K[key][dim]
//     as B fragments by ldmatrix (keys are N, head dims are K);
//   scaled into log2 units, masked (key > row's position) only where the tile crosses the warp's
//   diagonal, online softmax on the accumulator rows (a row's scores sit in the 4 lanes of a quad);
//   O (16 x HD) = O * alpha + P V, P re-packed from the S accumulators to A fragments in registers
//   (see mma_fragments.cuh) and V[key][dim] as B fragments by ldmatrix.trans.
// Rows past T (a partial last block) compute on zero queries and are never written.
#include "mma_fragments.cuh"

namespace {
constexpr int PF_WARPS = 4;
constexpr int PF_BQ = 16 * PF_WARPS;       // query rows per block
constexpr int PF_BKEY = KV_SUB * PF_WARPS;  // keys per tile: one sub-tile per warp
template <int HD>
__host__ __device__ constexpr int pf_stage_bytes() { return PF_WARPS * kv_sub_bytes<HD>(); }
}  // namespace

template <int HD>
__device__ __forceinline__ void prefill_mma_body(const float* __restrict__ q, int qRowStride,
                                                 float* __restrict__ out, bf16* __restrict__ outBf16, int outRowStride,
                                                 const bf16* __restrict__ pool, long long pageElems,
                                                 int layer, int tokensPerPage, int numKvHeads, int group,
                                                 const int* __restrict__ table, int T, int p0, float scale) {
    extern __shared__ __align__(16) unsigned char smem[];
    const int lin = blockIdx.y * gridDim.x + blockIdx.x;
    const int qb = gridDim.x - 1 - lin / gridDim.y, h = lin % gridDim.y;
    const int kvh = h / group, kvDim = numKvHeads * HD, headOff = kvh * HD;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t4 = lane & 3;
    const int q0 = qb * PF_BQ;
    const int keyEnd = p0 + min(q0 + PF_BQ, T);  // exclusive: the block's last row's keys
    const int tiles = (keyEnd + PF_BKEY - 1) / PF_BKEY;
    const long long vDelta = (long long)tokensPerPage * kvDim;
    const unsigned base = smem_u32(smem), mySub = warp * kv_sub_bytes<HD>();

    // Tile 0 in flight before the queries are read; the next tile's rows looked up.
    load_kv_sub<HD>(base + mySub, pool,
                    kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, KV_SUB * warp, keyEnd, lane),
                    vDelta, headOff, lane);
    cp_async_commit_group();
    long long offNext = kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, PF_BKEY + KV_SUB * warp, keyEnd, lane);

    // This lane's rows: A = row g of the warp (accumulators c0, c1), B = row g + 8 (c2, c3).
    const int rowA = q0 + 16 * warp + g, rowB = rowA + 8;
    const int posA = p0 + rowA, posB = p0 + rowB;
    unsigned qa[HD / 16][4];
    {
        const bool va = rowA < T, vb = rowB < T;
        const float* qA = q + (size_t)(va ? rowA : 0) * qRowStride + (size_t)h * HD + 2 * t4;
        const float* qB = q + (size_t)(vb ? rowB : 0) * qRowStride + (size_t)h * HD + 2 * t4;
#pragma unroll
        for (int ks = 0; ks < HD / 16; ++ks) {
            const int c = 16 * ks;
            qa[ks][0] = va ? pack_bf16(qA[c], qA[c + 1]) : 0u;
            qa[ks][1] = vb ? pack_bf16(qB[c], qB[c + 1]) : 0u;
            qa[ks][2] = va ? pack_bf16(qA[c + 8], qA[c + 9]) : 0u;
            qa[ks][3] = vb ? pack_bf16(qB[c + 8], qB[c + 9]) : 0u;
        }
    }
    float o[HD / 8][4];
#pragma unroll
    for (int n = 0; n < HD / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
    // Running max (log2 units) of rows A and B; this lane's share of their sums.
    float mA = -INFINITY, mB = -INFINITY, lA = 0.f, lB = 0.f;
    const float sl2 = scale * 1.4426950408889634f;
    const int warpFirst = p0 + q0 + 16 * warp, warpLast = warpFirst + 15;  // positions of the warp's rows

    // ldmatrix lane roles: matrix mi = lane / 8 supplies row lane % 8 of the 8x8 tile it addresses.
    const int mi = lane >> 3, r8 = lane & 7;
    const int kRow = (mi >> 1) * 8 + r8, kCol = (mi & 1) * 8;  // S: (keys 0-7 | 8-15) x (dims lo | hi)
    const int vRow = (mi & 1) * 8 + r8, vCol = (mi >> 1) * 8;  // PV (trans): (keys lo | hi) x (dims 0-7 | 8-15)

    for (int it = 0; it < tiles; ++it) {
        const int k0 = it * PF_BKEY;
        cp_async_wait_group<0>();
        // Tile `it` landed in every warp's sub-tile, and every warp finished tile it - 1, whose
        // stage the copy below refills.
        __syncthreads();
        if (it + 1 < tiles)
            load_kv_sub<HD>(base + ((it + 1) & 1) * pf_stage_bytes<HD>() + mySub, pool, offNext, vDelta, headOff, lane);
        cp_async_commit_group();
        offNext = it + 2 < tiles
            ? kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, (it + 2) * PF_BKEY + KV_SUB * warp, keyEnd, lane)
            : -1;
        if (k0 > warpLast) continue;  // warp-uniform: every key here is after every row of this warp
        const unsigned st = base + (it & 1) * pf_stage_bytes<HD>();

        // S: n8 tile n holds keys k0 + 8n .. k0 + 8n + 7; this lane's are 8n + 2 t4 + {0, 1}.
        float s[PF_BKEY / 8][4];
#pragma unroll
        for (int n = 0; n < PF_BKEY / 8; ++n) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
        for (int ks = 0; ks < HD / 16; ++ks)
#pragma unroll
            for (int sub = 0; sub < PF_WARPS; ++sub) {
                unsigned b0, b1, b2, b3;
                ldmatrix_x4(st + sub * kv_sub_bytes<HD>() + (kRow * kv_ld_row<HD>() + 16 * ks + kCol) * 2, b0, b1, b2, b3);
                mma_bf16_16816(s[2 * sub], qa[ks], b0, b1);
                mma_bf16_16816(s[2 * sub + 1], qa[ks], b2, b3);
            }

        // Online softmax. Masking only where the tile reaches past the warp's first row; keys at or
        // past keyEnd (zero-filled rows) are after every valid row's position, so masked too.
        const bool diagonal = k0 + PF_BKEY - 1 > warpFirst;
        float mxA = mA, mxB = mB;
#pragma unroll
        for (int n = 0; n < PF_BKEY / 8; ++n)
#pragma unroll
            for (int x = 0; x < 2; ++x) {
                const int j = k0 + 8 * n + 2 * t4 + x;
                float a = s[n][x] * sl2, b = s[n][2 + x] * sl2;
                if (diagonal) {
                    if (j > posA) a = -INFINITY;
                    if (j > posB) b = -INFINITY;
                }
                s[n][x] = a;
                s[n][2 + x] = b;
                mxA = fmaxf(mxA, a);
                mxB = fmaxf(mxB, b);
            }
        mxA = fmaxf(mxA, __shfl_xor_sync(0xffffffffu, mxA, 1));
        mxA = fmaxf(mxA, __shfl_xor_sync(0xffffffffu, mxA, 2));
        mxB = fmaxf(mxB, __shfl_xor_sync(0xffffffffu, mxB, 1));
        mxB = fmaxf(mxB, __shfl_xor_sync(0xffffffffu, mxB, 2));
        // Key 0 is in tile 0 and never masked, so the max is finite from the first tile on; the
        // guard keeps a row with no key yet at p = 0, alpha = 0 instead of NaN all the same.
        const float baseA = mxA == -INFINITY ? 0.f : mxA, baseB = mxB == -INFINITY ? 0.f : mxB;
        const float alphaA = exp2f(mA - baseA), alphaB = exp2f(mB - baseB);  // 0 on the first tile
        mA = mxA;
        mB = mxB;
        lA *= alphaA;
        lB *= alphaB;
        unsigned pa[PF_BKEY / 16][4];
#pragma unroll
        for (int n = 0; n < PF_BKEY / 8; ++n) {
            const float p0A = exp2f(s[n][0] - baseA), p1A = exp2f(s[n][1] - baseA);
            const float p0B = exp2f(s[n][2] - baseB), p1B = exp2f(s[n][3] - baseB);
            lA += p0A + p1A;
            lB += p0B + p1B;
            // k16 step n / 2 of P V: its keys 0-7 are n8 tile n (a0, a1), keys 8-15 tile n + 1 (a2, a3).
            pa[n / 2][2 * (n & 1)] = pack_bf16(p0A, p1A);
            pa[n / 2][2 * (n & 1) + 1] = pack_bf16(p0B, p1B);
        }
#pragma unroll
        for (int n = 0; n < HD / 8; ++n) {
            o[n][0] *= alphaA; o[n][1] *= alphaA;
            o[n][2] *= alphaB; o[n][3] *= alphaB;
        }
#pragma unroll
        for (int kk = 0; kk < PF_BKEY / 16; ++kk)
#pragma unroll
            for (int d = 0; d < HD / 16; ++d) {
                unsigned b0, b1, b2, b3;
                ldmatrix_x4_trans(st + kk * kv_sub_bytes<HD>() + KV_SUB * kv_ld_row<HD>() * 2
                                      + (vRow * kv_ld_row<HD>() + 16 * d + vCol) * 2, b0, b1, b2, b3);
                mma_bf16_16816(o[2 * d], pa[kk], b0, b1);
                mma_bf16_16816(o[2 * d + 1], pa[kk], b2, b3);
            }
    }
    cp_async_wait_group<0>();  // the last commit is empty; nothing may be in flight at exit

    lA += __shfl_xor_sync(0xffffffffu, lA, 1);
    lA += __shfl_xor_sync(0xffffffffu, lA, 2);
    lB += __shfl_xor_sync(0xffffffffu, lB, 1);
    lB += __shfl_xor_sync(0xffffffffu, lB, 2);
    // O tile n, this lane: row A columns 8n + 2 t4, +1 (o[n][0..1]), row B the same (o[n][2..3]).
    // With outBf16 the rows go there alone, as bf16 pairs at the same offsets (the output projection's
    // operand, nothing else reading them); else to out as fp32.
    if (rowA < T) {
        const float inv = 1.f / lA;
        const size_t at = (size_t)rowA * outRowStride + (size_t)h * HD + 2 * t4;
        if (outBf16) {
#pragma unroll
            for (int n = 0; n < HD / 8; ++n)
                *reinterpret_cast<__nv_bfloat162*>(outBf16 + at + 8 * n) = __floats2bfloat162_rn(o[n][0] * inv, o[n][1] * inv);
        } else {
            float* oa = out + at;
#pragma unroll
            for (int n = 0; n < HD / 8; ++n) { oa[8 * n] = o[n][0] * inv; oa[8 * n + 1] = o[n][1] * inv; }
        }
    }
    if (rowB < T) {
        const float inv = 1.f / lB;
        const size_t at = (size_t)rowB * outRowStride + (size_t)h * HD + 2 * t4;
        if (outBf16) {
#pragma unroll
            for (int n = 0; n < HD / 8; ++n)
                *reinterpret_cast<__nv_bfloat162*>(outBf16 + at + 8 * n) = __floats2bfloat162_rn(o[n][2] * inv, o[n][3] * inv);
        } else {
            float* ob = out + at;
#pragma unroll
            for (int n = 0; n < HD / 8; ++n) { ob[8 * n] = o[n][2] * inv; ob[8 * n + 1] = o[n][3] * inv; }
        }
    }
}

#define PREFILL_MMA(HD)                                                                            \
    extern "C" __global__ void __launch_bounds__(128) prefill_attention_mma_hd##HD(               \
        const float* __restrict__ q, int qRowStride, float* __restrict__ out, int outRowStride,   \
        const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,         \
        int numKvHeads, int group, const int* __restrict__ table, int T, int p0, float scale) {   \
        prefill_mma_body<HD>(q, qRowStride, out, nullptr, outRowStride, pool, pageElems, layer,    \
                             tokensPerPage, numKvHeads, group, table, T, p0, scale);               \
    }                                                                                              \
    /* the same, writing the rows as bf16 to outBf16 alone (same row stride; bf16OnlyInputs) */    \
    extern "C" __global__ void __launch_bounds__(128) prefill_attention_mma_bf16out_hd##HD(       \
        const float* __restrict__ q, int qRowStride, bf16* __restrict__ outBf16, int outRowStride, \
        const bf16* __restrict__ pool, long long pageElems, int layer, int tokensPerPage,         \
        int numKvHeads, int group, const int* __restrict__ table, int T, int p0, float scale) {   \
        prefill_mma_body<HD>(q, qRowStride, nullptr, outBf16, outRowStride, pool, pageElems,       \
                             layer, tokensPerPage, numKvHeads, group, table, T, p0, scale);        \
    }

PREFILL_MMA(64)   // dynamic shared memory 2 stages x 4 sub-tiles x 2 x 16 x 72 x 2 B = 36,864
PREFILL_MMA(128)  // 2 x 4 x 2 x 16 x 136 x 2 B = 69,632 (opt-in above 48 KB)
