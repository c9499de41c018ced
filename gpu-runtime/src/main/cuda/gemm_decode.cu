// Decode matrix product for 9..128 rows on tensor cores, "swap AB": out[m, n] = x[m, :] . W[n, :]
// (+ bias[n]) computed as (W x^T)^T with mma.sync.m16n8k16 (bf16 in, fp32 accumulate), W's rows as
// the 16-row A operand and the batch as the 8-wide N operand. Weights go straight from global
// memory into A fragments (no shared memory, no barriers in the main loop): each lane loads 16
// bytes (8 consecutive k) of two W rows per 32-wide k step. That is not the k order the mma
// expects, but a dot product does not care about the order of its terms as long as A and B use
// the same one: lane q of a row group holds physical k 8q..8q+7; mma step s in {0, 1} takes the
// physical pairs (8q + 4s, +1) as logical k (2q, 2q+1) and (8q + 4s + 2, +3) as (2q + 8, 2q + 9),
// and the B fragment is loaded under the same map (so x row m's 8 consecutive floats per lane).
// x is read as fp32 and rounded to bf16 in registers (no separate conversion pass; the same
// round-to-nearest-even as f32_to_bf16). The four warps of a block walk the same k range at the
// same time, so their x reads hit L1; weights are read once, as streaming loads (ld.global.cs:
// evict-first), so they do not push x out of L1 and L2.
//
// Geometry: 128 threads, warp w of block (bx, split) owns W rows (4 bx + w) * 16 RT .. + 16 RT
// and k range [split * kPerSplit, min(K, (split + 1) * kPerSplit)); kPerSplit % 32 == 0, K % 8
// == 0 (16-byte loads; CudaOps checks). With one split the block writes the output. With several,
// each block writes its fp32 partial tile to the workspace; the last block of a row range to
// arrive (a counter per row range, also in the workspace, zero between launches: the last block
// resets it) sums the partials in split order (deterministic) and writes the output: no separate
// reduce launch.
#include "common.cuh"

namespace {
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
    const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x = lo in the low half
    return *reinterpret_cast<const uint32_t*>(&v);
}

__device__ __forceinline__ void mma_bf16(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
}  // namespace

// NT: 8-row batch tiles (M <= 8 NT); RT: 16-row W tiles per warp; U: 32-wide k steps per loop
// iteration (loads in flight per lane: U x RT x 2 of W, U x NT x 2 of x). LATE_X: the x loads of
// each k step are issued only when it is computed (they hit L1), so the registers go to U rounds
// of W loads instead ("deep" variants: more weight bytes in flight per warp).
template <int NT, int RT, int U, bool LATE_X>
__device__ __forceinline__ void swapab_body(const float* __restrict__ x, const bf16* __restrict__ W,
                                            const bf16* __restrict__ bias, void* __restrict__ out, int outF32,
                                            int M, int N, int K, int kPerSplit, float* __restrict__ partials,
                                            int* __restrict__ counters) {
    constexpr int ROWS_PER_WARP = 16 * RT, ROWS_PER_BLOCK = 4 * ROWS_PER_WARP;
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, g = lane >> 2, q = lane & 3;
    const int n0 = blockIdx.x * ROWS_PER_BLOCK + warp * ROWS_PER_WARP;
    const int kBegin = blockIdx.y * kPerSplit, kEnd = min(K, kBegin + kPerSplit);

    const bf16* wRow[RT][2];
#pragma unroll
    for (int rt = 0; rt < RT; ++rt)
#pragma unroll
        for (int h = 0; h < 2; ++h) wRow[rt][h] = W + (size_t)min(n0 + rt * 16 + g + 8 * h, N - 1) * K + 8 * q;
    const float* xRow[NT];
    bool xValid[NT];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt) {
        const int m = nt * 8 + g;
        xValid[nt] = m < M;
        xRow[nt] = x + (size_t)min(m, M - 1) * K + 8 * q;
    }
    float acc[RT][NT][4];
#pragma unroll
    for (int rt = 0; rt < RT; ++rt)
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int i = 0; i < 4; ++i) acc[rt][nt][i] = 0.f;

    for (int k0 = kBegin; k0 < kEnd; k0 += 32 * U) {
        uint4 a[U][RT][2];
        float4 xb[LATE_X ? 1 : U][NT][2];
#pragma unroll
        for (int u = 0; u < U; ++u) {
            const int k = k0 + 32 * u + 8 * q;  // this lane's 8 physical k
            const bool kIn = k < kEnd;           // K % 8 == 0 and kEnd % 8 == 0: all 8 or none
#pragma unroll
            for (int rt = 0; rt < RT; ++rt)
#pragma unroll
                for (int h = 0; h < 2; ++h)
                    a[u][rt][h] = kIn ? __ldcs(reinterpret_cast<const uint4*>(wRow[rt][h] + k0 + 32 * u))
                                      : make_uint4(0u, 0u, 0u, 0u);
            if constexpr (!LATE_X) {
#pragma unroll
                for (int nt = 0; nt < NT; ++nt) {
                    const float4 z = make_float4(0.f, 0.f, 0.f, 0.f);
                    const bool in = kIn && xValid[nt];
                    xb[u][nt][0] = in ? __ldg(reinterpret_cast<const float4*>(xRow[nt] + k0 + 32 * u)) : z;
                    xb[u][nt][1] = in ? __ldg(reinterpret_cast<const float4*>(xRow[nt] + k0 + 32 * u + 4)) : z;
                }
            }
        }
#pragma unroll
        for (int u = 0; u < U; ++u) {
            if constexpr (LATE_X) {
                const bool kIn = k0 + 32 * u + 8 * q < kEnd;
#pragma unroll
                for (int nt = 0; nt < NT; ++nt) {
                    const float4 z = make_float4(0.f, 0.f, 0.f, 0.f);
                    const bool in = kIn && xValid[nt];
                    xb[0][nt][0] = in ? __ldg(reinterpret_cast<const float4*>(xRow[nt] + k0 + 32 * u)) : z;
                    xb[0][nt][1] = in ? __ldg(reinterpret_cast<const float4*>(xRow[nt] + k0 + 32 * u + 4)) : z;
                }
            }
            const int xu = LATE_X ? 0 : u;
            uint32_t b[NT][4];
#pragma unroll
            for (int nt = 0; nt < NT; ++nt) {
                b[nt][0] = pack_bf16(xb[xu][nt][0].x, xb[xu][nt][0].y);
                b[nt][1] = pack_bf16(xb[xu][nt][0].z, xb[xu][nt][0].w);
                b[nt][2] = pack_bf16(xb[xu][nt][1].x, xb[xu][nt][1].y);
                b[nt][3] = pack_bf16(xb[xu][nt][1].z, xb[xu][nt][1].w);
            }
#pragma unroll
            for (int s = 0; s < 2; ++s)
#pragma unroll
                for (int rt = 0; rt < RT; ++rt) {
                    const uint32_t* lo = reinterpret_cast<const uint32_t*>(&a[u][rt][0]);  // row g
                    const uint32_t* hi = reinterpret_cast<const uint32_t*>(&a[u][rt][1]);  // row g + 8
#pragma unroll
                    for (int nt = 0; nt < NT; ++nt)
                        mma_bf16(acc[rt][nt], lo[2 * s], hi[2 * s], lo[2 * s + 1], hi[2 * s + 1], b[nt][2 * s],
                                 b[nt][2 * s + 1]);
                }
        }
    }

    // acc[rt][nt]: {0,1} -> W row n0 + 16 rt + g, batch rows 8 nt + 2q + {0,1}; {2,3} -> W row + 8.
    if (gridDim.y == 1) {
#pragma unroll
        for (int rt = 0; rt < RT; ++rt)
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int n = n0 + rt * 16 + g + (i >> 1) * 8;
                if (n >= N) continue;
                const float bv = bias ? __bfloat162float(bias[n]) : 0.f;
#pragma unroll
                for (int nt = 0; nt < NT; ++nt) {
                    const int m = nt * 8 + 2 * q + (i & 1);
                    if (m >= M) continue;
                    const float v = acc[rt][nt][i] + bv;
                    if (outF32) reinterpret_cast<float*>(out)[(size_t)m * N + n] = v;
                    else reinterpret_cast<bf16*>(out)[(size_t)m * N + n] = __float2bfloat16(v);
                }
            }
        return;
    }
    float* part = partials + (size_t)blockIdx.y * M * N;
#pragma unroll
    for (int rt = 0; rt < RT; ++rt)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const int n = n0 + rt * 16 + g + (i >> 1) * 8;
            if (n >= N) continue;
#pragma unroll
            for (int nt = 0; nt < NT; ++nt) {
                const int m = nt * 8 + 2 * q + (i & 1);
                if (m < M) part[(size_t)m * N + n] = acc[rt][nt][i];
            }
        }
    __shared__ int isLast;
    __threadfence();  // this block's partials are visible device-wide before it counts itself
    __syncthreads();
    if (tid == 0) {
        __threadfence();
        isLast = atomicAdd(&counters[blockIdx.x], 1) == (int)gridDim.y - 1;
        __threadfence();
    }
    __syncthreads();
    if (!isLast) return;
    __threadfence();
    const int rowBase = blockIdx.x * ROWS_PER_BLOCK;
    const int rows = min(ROWS_PER_BLOCK, N - rowBase);
    for (int idx = tid; idx < M * rows; idx += blockDim.x) {
        const int m = idx / rows, n = rowBase + idx % rows;
        float v = bias ? __bfloat162float(bias[n]) : 0.f;
        for (int sp = 0; sp < (int)gridDim.y; ++sp) v += __ldcg(partials + ((size_t)sp * M + m) * N + n);
        if (outF32) reinterpret_cast<float*>(out)[(size_t)m * N + n] = v;
        else reinterpret_cast<bf16*>(out)[(size_t)m * N + n] = __float2bfloat16(v);
    }
    if (tid == 0) counters[blockIdx.x] = 0;  // ready for the next launch (stream order)
}

#define SWAPAB(NAME, NT, RT, U, LATE_X, MINB)                                                      \
    extern "C" __global__ void __launch_bounds__(128, MINB) NAME(                                   \
        const float* __restrict__ x, const bf16* __restrict__ W, const bf16* __restrict__ bias,    \
        void* __restrict__ out, int outF32, int M, int N, int K, int kPerSplit,                    \
        float* __restrict__ partials, int* __restrict__ counters) {                                \
        swapab_body<NT, RT, U, LATE_X>(x, W, bias, out, outF32, M, N, K, kPerSplit, partials, counters); \
    }
// Rows per block (DecodeKernels must match): 128 for RT = 2, 64 for RT = 1. MINB: blocks per SM
// the register budget must allow (3 x 4 warps x 4 KB of weights in flight per SM for n8).
// 2..8 rows (only with aegaeon.cuda.swapAbMinRows <= 8: the GEMV keeps x in fp32 there).
SWAPAB(gemm_swapab_n1, 1, 2, 4, false, 4)
SWAPAB(gemm_swapab_n2, 2, 2, 4, false, 4)
SWAPAB(gemm_swapab_n4, 4, 2, 2, false, 4)
SWAPAB(gemm_swapab_n8, 8, 2, 2, false, 3)
SWAPAB(gemm_swapab_n16, 16, 1, 2, false, 1)
// Deep variants (aegaeon.cuda.swapAbDeep): 4 rounds of W loads in flight, x loaded per k step.
SWAPAB(gemm_swapab_deep_n4, 4, 2, 4, true, 3)
SWAPAB(gemm_swapab_deep_n8, 8, 2, 4, true, 2)
SWAPAB(gemm_swapab_deep_n16, 16, 1, 4, true, 2)
