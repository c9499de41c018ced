// Warp-collective emulation: one std::thread per CUDA thread, collectives through per-warp slots
// and barriers. ldmatrix and mma follow the PTX ISA fragment definitions.
#pragma once
#include <barrier>
#include <cstring>
#include <cstdint>
#include <thread>
#include <vector>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#define __device__
#define __host__
#define __global__
#define __forceinline__ inline
#define __restrict__
#define __launch_bounds__(...)
#define __align__(n)
using std::min;
using std::max;
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 gridDim, blockDim;
inline unsigned char* g_smem;
struct EmuWarp {
    std::barrier<> bar{32};
    unsigned long long slot[32][12];
};
inline EmuWarp* g_warps;
inline std::barrier<>* g_block;
inline void __syncthreads() { g_block->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { g_warps[threadIdx.x >> 5].bar.arrive_and_wait(); }
template <class T>
inline T emu_shfl(T v, int src) {
    EmuWarp& w = g_warps[threadIdx.x >> 5];
    const int lane = threadIdx.x & 31;
    unsigned long long u = 0; std::memcpy(&u, &v, sizeof(T));
    w.slot[lane][0] = u;
    w.bar.arrive_and_wait();
    unsigned long long r = w.slot[src & 31][0];
    w.bar.arrive_and_wait();
    T out; std::memcpy(&out, &r, sizeof(T));
    return out;
}
template <class T> inline T __shfl_sync(unsigned, T v, int src) { return emu_shfl(v, src); }
template <class T> inline T __shfl_xor_sync(unsigned, T v, int x) { return emu_shfl(v, (int)(threadIdx.x & 31) ^ x); }
inline unsigned smem_u32(const void* p) { return (unsigned)((const unsigned char*)p - g_smem); }
inline void cp_async16_zfill(unsigned dst, const void* src, int n) {
    std::memset(g_smem + dst, 0, 16);
    if (n) std::memcpy(g_smem + dst, src, n);
}
inline void cp_async_commit_group() {}
template <int N> inline void cp_async_wait_group() {}
inline unsigned emu_half(unsigned v, int h) { return (v >> (16 * h)) & 0xffffu; }
inline float emu_bf(unsigned h) { unsigned u = h << 16; float f; std::memcpy(&f, &u, 4); return f; }
// ldmatrix .x4: lanes 8m..8m+7 address rows 0..7 of matrix m. Lane l receives, of matrix m, row
// l/4 elements 2(l%4), 2(l%4)+1 (no trans) or column l/4 at rows 2(l%4), 2(l%4)+1 (trans).
inline void emu_ldmatrix(unsigned addr, unsigned* r, bool trans) {
    EmuWarp& w = g_warps[threadIdx.x >> 5];
    const int l = threadIdx.x & 31;
    w.slot[l][0] = addr;
    w.bar.arrive_and_wait();
    for (int m = 0; m < 4; ++m) {
        if ((unsigned)w.slot[8 * m][0] % 16) { std::fprintf(stderr, "ldmatrix row misaligned\n"); std::abort(); }
        uint16_t e0, e1;
        if (!trans) {
            const unsigned row = (unsigned)w.slot[8 * m + l / 4][0];
            std::memcpy(&e0, g_smem + row + 4 * (l % 4), 2);
            std::memcpy(&e1, g_smem + row + 4 * (l % 4) + 2, 2);
        } else {
            const unsigned r0 = (unsigned)w.slot[8 * m + 2 * (l % 4)][0], r1 = (unsigned)w.slot[8 * m + 2 * (l % 4) + 1][0];
            std::memcpy(&e0, g_smem + r0 + 2 * (l / 4), 2);
            std::memcpy(&e1, g_smem + r1 + 2 * (l / 4), 2);
        }
        r[m] = e0 | ((unsigned)e1 << 16);
    }
    w.bar.arrive_and_wait();
}
inline void ldmatrix_x4(unsigned a, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
    unsigned r[4]; emu_ldmatrix(a, r, false); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3];
}
inline void ldmatrix_x4_trans(unsigned a, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
    unsigned r[4]; emu_ldmatrix(a, r, true); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3];
}
// mma.m16n8k16 row.col: A(r, k) in lane (r%8)*4 + (k%8)/2, register (r>=8) + 2(k>=8), half k%2;
// B(k, n) in lane n*4 + (k%8)/2, register (k>=8), half k%2; D(r, n) in lane (r%8)*4 + n/2, element 2(r>=8) + n%2.
inline void mma_bf16_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    EmuWarp& w = g_warps[threadIdx.x >> 5];
    const int l = threadIdx.x & 31;
    for (int i = 0; i < 4; ++i) w.slot[l][i] = a[i];
    w.slot[l][4] = b0; w.slot[l][5] = b1;
    w.bar.arrive_and_wait();
    const int g = l / 4, t = l % 4;
    for (int e = 0; e < 4; ++e) {
        const int r = g + 8 * (e >> 1), n = 2 * t + (e & 1);
        double acc = d[e];
        for (int k = 0; k < 16; ++k) {
            const unsigned av = (unsigned)w.slot[(r % 8) * 4 + (k % 8) / 2][(r >= 8) + 2 * (k >= 8)];
            const unsigned bv = (unsigned)w.slot[n * 4 + (k % 8) / 2][4 + (k >= 8)];
            acc += (double)emu_bf(emu_half(av, k % 2)) * emu_bf(emu_half(bv, k % 2));
        }
        d[e] = (float)acc;
    }
    w.bar.arrive_and_wait();
}
// decode_attention_mma.cu's own wrappers (cut out of its copy by prep.py).
inline unsigned smem_addr(const void* p) { return smem_u32(p); }
inline void cp_commit() {}
template <int N> inline void cp_wait() {}
inline void mma_bf16_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1);
inline void mma16816(float (&d)[4], unsigned a0, unsigned a2, unsigned b0, unsigned b1) {
    const unsigned a[4] = {a0, 0u, a2, 0u};
    mma_bf16_16816(d, a, b0, b1);
}
