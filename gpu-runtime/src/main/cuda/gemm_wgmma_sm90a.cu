// Hopper tensor-core GEMM (wgmma, sm_90a only) for prefill (large M):
//   C[M, N] = A[M, K] . W[N, K]^T (+ bias[N]); contract of gemm_body in gemm.cu (any M, N, K,
//   split-K partials over gridDim.z, fp32 or bf16 out).
// Built with -arch=sm_90a (build-ptx.sh: files named *_sm90a.cu); on any other GPU the module
// does not load and KernelModules leaves these kernels out.
// Design: two warpgroups (256 threads), each owns 64 rows of the BM = 128 block tile and all BN
// columns (wgmma m64nBNk16, fp32 accumulators in registers). Without TMA descriptors (JCuda 12.6
// cannot encode them) every thread fills the stages with cp.async into the 128-byte-swizzled
// K-major layout wgmma reads through shared-memory descriptors (gemm_tiles.cuh: BK = 64 bf16 =
// one 128-byte row, chunk c of row r at c ^ (r & 7), 8-row atoms of 1024 bytes). A STAGES-deep
// ring: tile kt + STAGES - 2 is fetched while tile kt's wgmmas run and tile kt - 1's may still
// be in flight (wgmma.wait_group 1), so a slot is refilled only after every warpgroup waited
// for the wgmmas that read it (the __syncthreads at the top of the next iteration).
#include "gemm_tiles.cuh"

// Shared-memory matrix descriptor (PTX ISA "matrix descriptor"): start address >> 4 in bits
// 0-13, leading byte offset >> 4 in 16-29 (unused for swizzled K-major; 16 by convention),
// stride byte offset >> 4 in 32-45 (1024: from one 8-row atom to the next), layout in 62-63
// (1 = 128-byte swizzle). Base offset (49-51) 0: every atom is 1024-byte aligned.
__device__ __forceinline__ uint64_t sw128_desc(unsigned smemAddr) {
    return (uint64_t)((smemAddr & 0x3FFFF) >> 4) | ((uint64_t)(16 >> 4) << 16) |
           ((uint64_t)(1024 >> 4) << 32) | (1ull << 62);
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void wgmma_wait() { asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory"); }
// Keeps the compiler from moving accumulator reads or writes across a wgmma fence or wait (the
// asm operands alone do not tell it that wgmma writes them asynchronously).
template <int N>
__device__ __forceinline__ void fence_operands(float (&d)[N]) {
#pragma unroll
    for (int i = 0; i < N; ++i) asm volatile("" : "+f"(d[i])::"memory");
}
// cp.async (and plain) stores are generic-proxy writes; wgmma reads through the async proxy.
__device__ __forceinline__ void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

// D (+)= A . B^T for a 64 x N x 16 step; scale-d 1 (accumulate: D starts zeroed), no transposes
// (both operands K-major).
__device__ __forceinline__ void wgmma_m64n256k16(float (&d)[128], uint64_t descA, uint64_t descB) {
    asm volatile(
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 "
        "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, %96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, %112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}, "
        "%128, %129, 1, 1, 1, 0, 0;\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
        : "l"(descA), "l"(descB));
}

__device__ __forceinline__ void wgmma_m64n128k16(float (&d)[64], uint64_t descA, uint64_t descB) {
    asm volatile(
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 "
        "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
        "%64, %65, 1, 1, 1, 0, 0;\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "l"(descA), "l"(descB));
}

template <int BN>
__device__ __forceinline__ void wgmma_step(float (&d)[BN / 2], uint64_t descA, uint64_t descB) {
    if constexpr (BN == 256) wgmma_m64n256k16(d, descA, descB);
    else wgmma_m64n128k16(d, descA, descB);
}

template <int BN, int STAGES>
__device__ __forceinline__ void gemm_wgmma_body(const bf16* __restrict__ A, const bf16* __restrict__ W,
                                                const bf16* __restrict__ bias, void* __restrict__ out,
                                                int outF32, float* __restrict__ partial, int M, int N,
                                                int K, int kPerSplit) {
    constexpr int BM = 128, BK = 64, NT = 256;
    constexpr int A_BYTES = BM * BK * 2, STAGE_BYTES = (BM + BN) * BK * 2;
    static_assert(STAGES >= 3, "one stage loading, one computing, one possibly still read");
    extern __shared__ __align__(1024) unsigned char smem[];
    // The 128B swizzle is defined on absolute address bits: atoms must start 1024-byte aligned
    // (CudaOps asks for 1 KiB more than the stages need).
    const unsigned raw = smem_u32(smem), base = (raw + 1023u) & ~1023u;

    const BlockCoord blk = grouped_block();
    const int bm = blk.m * BM, bn = blk.n * BN;
    const int kBegin = blockIdx.z * kPerSplit, kEnd = min(K, kBegin + kPerSplit);
    const int nk = kEnd > kBegin ? (kEnd - kBegin + BK - 1) / BK : 0;
    const int wg = threadIdx.x >> 7, lane = threadIdx.x & 31, warpInWg = (threadIdx.x >> 5) & 3;
    const bool vec = (K & 7) == 0;

    float d[BN / 2];
#pragma unroll
    for (int i = 0; i < BN / 2; ++i) d[i] = 0.f;

    auto load_stage = [&](int stage, int kt) {
        const int k0 = kBegin + kt * BK;
        const unsigned s = base + stage * STAGE_BYTES;
        load_tile_swz<BM, BK, NT>(s, A, M, bm, k0, kEnd, K, vec);
        load_tile_swz<BN, BK, NT>(s + A_BYTES, W, N, bn, k0, kEnd, K, vec);
    };

#pragma unroll
    for (int s = 0; s < STAGES - 2; ++s) {
        if (s < nk) load_stage(s, s);
        cp_async_commit_group();
    }
    for (int kt = 0; kt < nk; ++kt) {
        // Groups committed so far: tiles 0 .. kt + STAGES - 3; tile kt must be complete.
        cp_async_wait_group<STAGES - 3>();
        fence_proxy_async();
        __syncthreads();
        // Every warpgroup has waited (wait_group 1, last iteration) for tile kt - 2's wgmmas: its
        // slot, (kt + STAGES - 2) % STAGES, is free.
        const int pf = kt + STAGES - 2;
        if (pf < nk) load_stage(pf % STAGES, pf);
        cp_async_commit_group();

        const unsigned stage = base + (kt % STAGES) * STAGE_BYTES;
        const uint64_t descA = sw128_desc(stage + wg * (64 * BK * 2)), descB = sw128_desc(stage + A_BYTES);
        fence_operands(d);
        wgmma_fence();
#pragma unroll
        for (int kk = 0; kk < BK / 16; ++kk)  // 16 bf16 = 32 bytes further along the swizzled row
            wgmma_step<BN>(d, descA + 2 * kk, descB + 2 * kk);
        wgmma_commit();
        wgmma_wait<1>();
        fence_operands(d);
    }
    wgmma_wait<0>();
    fence_operands(d);
    cp_async_wait_group<0>();

    // Accumulator i of a thread: row 16 * warp + lane / 4 + 8 * ((i / 2) % 2), column
    // 8 * (i / 4) + 2 * (lane % 4) + i % 2 (the m16n8 C layout repeated along N).
    const int r = bm + wg * 64 + warpInWg * 16 + (lane >> 2), c0 = bn + 2 * (lane & 3);
#pragma unroll
    for (int j = 0; j < BN / 8; ++j) {
        store_pair(d[4 * j], d[4 * j + 1], r, c0 + 8 * j, M, N, bias, out, outF32, partial);
        store_pair(d[4 * j + 2], d[4 * j + 3], r + 8, c0 + 8 * j, M, N, bias, out, outF32, partial);
    }
}

#define GEMM_WGMMA(NAME, BN, ST)                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 1) NAME(                                      \
        const bf16* __restrict__ A, const bf16* __restrict__ W, const bf16* __restrict__ bias,      \
        void* __restrict__ out, int outF32, float* __restrict__ partial, int M, int N, int K,       \
        int kPerSplit) {                                                                             \
        gemm_wgmma_body<BN, ST>(A, W, bias, out, outF32, partial, M, N, K, kPerSplit);               \
    }

// Candidates for the aegaeon.cuda.largeTile property (CudaOps registers them with their shared
// memory: STAGES x (128 + BN) x 64 x 2 bytes + 1 KiB for alignment).
GEMM_WGMMA(gemm_wgmma_128x256, 256, 4)  // 192 KiB of stages
GEMM_WGMMA(gemm_wgmma_128x128, 128, 6)  // 192 KiB of stages
