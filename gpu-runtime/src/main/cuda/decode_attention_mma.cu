// Decode attention split over keys on tensor cores: pass 1 of decode_attention.cu's flash-decoding
// with mma.sync.m16n8k16 (bf16 in, fp32 accumulate) instead of 16-lane dot products and shuffles.
// Same arguments, grid and partials as decode_attention_split_g<G>, so decode_attention_combine
// (decode_attention.cu) merges its chunks unchanged.
//
// decode_attention_split_mma_hd<HD>: grid (maxChunks, numKvHeads, sequences), 128 threads = 4
// warps, dynamic shared memory 4 warps x 2 stages x (K, V) x 16 x (HD + 8) bf16. A block takes
// keys [chunk * chunkKeys, min(len, (chunk + 1) * chunkKeys)) of one KV head; chunks past the
// sequence's length exit at once (the grid is fixed per step graph). The chunk is cut into sub-tiles of 16 keys; warp w takes
// sub-tiles w, w + 4, w + 8, ... and runs its own pipeline: the next sub-tile's K and V rows (16 x
// HD bf16 each) copied with cp.async into its own half of a double buffer while the current one is
// computed; only __syncwarp inside the loop, no block barrier.
// Per sub-tile, per warp:
//   S (16 x 16) = Q (16 rows: the group's query heads 0..group-1, rows >= group zero; scaled into
//   log2 units and rounded to bf16, held as A fragments for the whole chunk) x K^T: B fragments of
//   K[key][dim] by ldmatrix (keys are N, head dims are K);
//   online softmax on the fragment rows (a row's 16 scores sit in the 4 lanes of a quad: max by two
//   xor shuffles); keys past the sequence's end masked to -inf (their rows were zero-filled);
//   O (16 x HD) = O * alpha + P x V: the S accumulators re-packed to bf16 as the A operand (the
//   C layout of m16n8k16 is the A layout's halves), V[key][dim] as B by ldmatrix.trans.
// Rows 8..15 of every fragment are padding (group <= 8): they hold zeros and are never written out.
// At the end the 4 warps' (m, l, O) of each row are merged through shared memory into the chunk's
// partial: acc [seq][head][maxChunks][HD] floats and ml [seq][head][maxChunks] float2 (m, l), m
// and l in the log2 domain, exactly as decode_attention.cu writes them.
#include "mma_fragments.cuh"  // ldmatrix, pack_bf16, the paged K/V sub-tile copy

namespace {
constexpr int MMA_WARPS = 4;
constexpr int SUB = KV_SUB;  // keys per warp sub-tile (the k of the P x V product)

// Row stride of a K/V sub-tile in shared memory: HD + 8 bf16, so the 8 rows one ldmatrix phase
// reads start 16 bytes apart modulo 128 (distinct banks).
template <int HD>
__host__ __device__ constexpr int ld_row() { return kv_ld_row<HD>(); }

// Bytes of one warp's stage (K then V sub-tile).
template <int HD>
__host__ __device__ constexpr int stage_bytes() { return 2 * SUB * ld_row<HD>() * 2; }
// The merge buffers reuse the stages.
static_assert(MMA_WARPS * 8 * (64 + 8) * 4 + 2 * MMA_WARPS * 8 * 4 <= MMA_WARPS * 2 * stage_bytes<64>(), "merge fits");
static_assert(MMA_WARPS * 8 * (128 + 8) * 4 + 2 * MMA_WARPS * 8 * 4 <= MMA_WARPS * 2 * stage_bytes<128>(), "merge fits");

__device__ __forceinline__ unsigned smem_addr(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void cp_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

// d += a (16x16, rows 8..15 zero: a1 = a3 = 0) x b (16x8).
__device__ __forceinline__ void mma16816(float (&d)[4], unsigned a0, unsigned a2, unsigned b0, unsigned b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(0u), "r"(a2), "r"(0u), "r"(b0), "r"(b1));
}

}  // namespace

template <int HD>
__device__ __forceinline__ void split_mma_body(
    const float* __restrict__ q, int qRowStride, const bf16* __restrict__ pool, long long pageElems, int layer,
    int tokensPerPage, int numKvHeads, int group, const int* __restrict__ tokSeq, const int* __restrict__ tokPos,
    const int* __restrict__ blockTables, int maxPages, float scale, int chunkKeys, int maxChunks,
    float* __restrict__ partAcc, float2* __restrict__ partMl) {
    extern __shared__ __align__(16) unsigned char smem[];
    const int chunk = blockIdx.x, kvh = blockIdx.y, t = blockIdx.z;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, row = lane >> 2, quad = lane & 3;
    const int len = tokPos[t] + 1;
    const int start = chunk * chunkKeys;
    if (start >= len) return;  // block-uniform: no barrier is skipped by part of the block
    const int end = min(len, start + chunkKeys);
    const int subs = (end - start + SUB - 1) / SUB;
    const int* table = blockTables + (size_t)tokSeq[t] * maxPages;
    const int kvDim = numKvHeads * HD, headOff = kvh * HD;
    const long long vDelta = (long long)tokensPerPage * kvDim;
    const unsigned stage0 = smem_addr(smem) + warp * 2 * stage_bytes<HD>();

    // First sub-tile in flight before the queries are read; the next one's rows looked up.
    if (warp < subs)
        load_kv_sub<HD>(stage0, pool, kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, start + SUB * warp, end, lane),
                     vDelta, headOff, lane);
    cp_commit();
    long long offNext = warp + MMA_WARPS < subs
        ? kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, start + SUB * (warp + MMA_WARPS), end, lane) : -1;

    // A fragments of Q: row `row` (query head kvh * group + row), dims 16 ks + 2 quad (+1) and + 8.
    unsigned qa[HD / 16][2];
    {
        const float qScale = scale * 1.4426950408889634f;  // scores in log2 units: exp2 below
        const bool live = row < group;
        const float* qr = q + (size_t)t * qRowStride + (size_t)(kvh * group + (live ? row : 0)) * HD + 2 * quad;
#pragma unroll
        for (int ks = 0; ks < HD / 16; ++ks) {
            float2 lo = make_float2(0.f, 0.f), hi = lo;
            if (live) { lo = *reinterpret_cast<const float2*>(qr + 16 * ks); hi = *reinterpret_cast<const float2*>(qr + 16 * ks + 8); }
            qa[ks][0] = pack_bf16(lo.x * qScale, lo.y * qScale);
            qa[ks][1] = pack_bf16(hi.x * qScale, hi.y * qScale);
        }
    }
    float o[HD / 8][4];
#pragma unroll
    for (int n = 0; n < HD / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
    float mRun = -INFINITY, lPart = 0.f;  // row `row`: running max; this lane's share of the sum

    // ldmatrix lane roles: matrix mi = lane / 8 supplies row lane % 8 of the 8x8 tile it addresses.
    const int mi = lane >> 3, r8 = lane & 7;
    const int kRow = (mi >> 1) * 8 + r8, kCol = (mi & 1) * 8;  // S: (keys 0-7 | 8-15) x (dims lo | hi)
    const int vRow = (mi & 1) * 8 + r8, vCol = (mi >> 1) * 8;  // PV (trans): (keys lo | hi) x (dims 0-7 | 8-15)

    for (int it = 0, sub = warp; sub < subs; ++it, sub += MMA_WARPS) {
        const unsigned cur = stage0 + (it & 1) * stage_bytes<HD>();
        if (sub + MMA_WARPS < subs)
            load_kv_sub<HD>(stage0 + ((it + 1) & 1) * stage_bytes<HD>(), pool, offNext, vDelta, headOff, lane);
        cp_commit();  // possibly empty: keeps "all but the newest group" = this sub-tile
        // The block-table reads of the sub-tile after next, in flight while this one is computed.
        offNext = sub + 2 * MMA_WARPS < subs
            ? kv_row_offset(table, pageElems, layer, tokensPerPage, kvDim, start + SUB * (sub + 2 * MMA_WARPS), end, lane) : -1;
        cp_wait<1>();
        __syncwarp();
        const int t0 = start + SUB * sub;

        float s[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
#pragma unroll
        for (int ks = 0; ks < HD / 16; ++ks) {
            unsigned b0, b1, b2, b3;
            ldmatrix_x4(cur + (kRow * ld_row<HD>() + 16 * ks + kCol) * 2, b0, b1, b2, b3);
            mma16816(s[0], qa[ks][0], qa[ks][1], b0, b1);
            mma16816(s[1], qa[ks][0], qa[ks][1], b2, b3);
        }
        // This lane's scores of row `row`: keys 8 n + 2 quad + {0, 1} (s[n][0..1]); s[n][2..3] are padding rows.
        float mx = mRun;
#pragma unroll
        for (int n = 0; n < 2; ++n)
#pragma unroll
            for (int x = 0; x < 2; ++x) {
                if (t0 + 8 * n + 2 * quad + x >= end) s[n][x] = -INFINITY;
                mx = fmaxf(mx, s[n][x]);
            }
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));  // finite: key t0 < end is in every sub-tile
        const float alpha = exp2f(mRun - mx);                 // 0 on the first sub-tile
        mRun = mx;
        float p[2][2];
#pragma unroll
        for (int n = 0; n < 2; ++n)
#pragma unroll
            for (int x = 0; x < 2; ++x) p[n][x] = exp2f(s[n][x] - mx);
        lPart = lPart * alpha + (p[0][0] + p[0][1]) + (p[1][0] + p[1][1]);
        const unsigned pa0 = pack_bf16(p[0][0], p[0][1]), pa2 = pack_bf16(p[1][0], p[1][1]);
#pragma unroll
        for (int n = 0; n < HD / 8; ++n) { o[n][0] *= alpha; o[n][1] *= alpha; }
#pragma unroll
        for (int d = 0; d < HD / 16; ++d) {
            unsigned b0, b1, b2, b3;
            ldmatrix_x4_trans(cur + SUB * ld_row<HD>() * 2 + (vRow * ld_row<HD>() + 16 * d + vCol) * 2, b0, b1, b2, b3);
            mma16816(o[2 * d], pa0, pa2, b0, b1);
            mma16816(o[2 * d + 1], pa0, pa2, b2, b3);
        }
        __syncwarp();  // every lane's ldmatrix of this stage done before the next iteration refills it
    }
    cp_wait<0>();
    float l = lPart + __shfl_xor_sync(0xffffffffu, lPart, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    __syncthreads();  // all warps past their last ldmatrix: the pipeline buffers become the merge buffers

    // Merge the warps: sO[w][row][HD + 8] (padded: a warp's 8 rows of float2 stores in 2 wavefronts),
    // sM[w][row], sL[w][row] (rows 0..7).
    constexpr int LDO = HD + 8;
    float* sO = reinterpret_cast<float*>(smem);
    float* sM = sO + MMA_WARPS * 8 * LDO;
    float* sL = sM + MMA_WARPS * 8;
#pragma unroll
    for (int n = 0; n < HD / 8; ++n)
        *reinterpret_cast<float2*>(&sO[(warp * 8 + row) * LDO + 8 * n + 2 * quad]) = make_float2(o[n][0], o[n][1]);
    if (quad == 0) { sM[warp * 8 + row] = mRun; sL[warp * 8 + row] = l; }
    __syncthreads();
    const size_t base = ((size_t)t * numKvHeads * group + (size_t)kvh * group) * maxChunks + chunk;
    for (int idx = threadIdx.x; idx < group * HD; idx += blockDim.x) {
        const int g = idx / HD, e = idx % HD;
        float m = -INFINITY;
#pragma unroll
        for (int w = 0; w < MMA_WARPS; ++w) m = fmaxf(m, sM[w * 8 + g]);  // finite: warp 0 has a key
        float v = 0.f, sum = 0.f;
#pragma unroll
        for (int w = 0; w < MMA_WARPS; ++w) {
            const float f = exp2f(sM[w * 8 + g] - m);  // 0 for a warp without keys (m = -inf, O = 0, l = 0)
            v = fmaf(sO[(w * 8 + g) * LDO + e], f, v);
            sum = fmaf(sL[w * 8 + g], f, sum);
        }
        partAcc[(base + (size_t)g * maxChunks) * HD + e] = v;
        if (e == 0) partMl[base + (size_t)g * maxChunks] = make_float2(m, sum);
    }
}

#define DECODE_SPLIT_MMA(HD)                                                                         \
    extern "C" __global__ void __launch_bounds__(128) decode_attention_split_mma_hd##HD(             \
        const float* __restrict__ q, int qRowStride, const bf16* __restrict__ pool, long long pageElems, \
        int layer, int tokensPerPage, int numKvHeads, int headDim, int group,                       \
        const int* __restrict__ tokSeq, const int* __restrict__ tokPos,                             \
        const int* __restrict__ blockTables, int maxPages, float scale, int chunkKeys, int maxChunks, \
        float* __restrict__ partAcc, float2* __restrict__ partMl) {                                 \
        split_mma_body<HD>(q, qRowStride, pool, pageElems, layer, tokensPerPage, numKvHeads, group,  \
                           tokSeq, tokPos, blockTables, maxPages, scale, chunkKeys, maxChunks,       \
                           partAcc, partMl);                                                         \
    }
// headDim is passed for the shared argument list; it equals HD (the host picks the kernel by it).
DECODE_SPLIT_MMA(64)   // dynamic shared memory 4 warps x 2 stages x 2 x 16 x 72 x 2 B = 36864
DECODE_SPLIT_MMA(128)  // 4 x 2 x 2 x 16 x 136 x 2 B = 69632 (opt-in above 48 KB)
