// The emulation's ldmatrix and mma.m16n8k16 maps (emu_prelude.h) checked against two kernels that
// passed on the H100 in run 12: gemm_mma.cu (ldmatrix, all four A registers, B, all of C) and
// decode_attention_mma.cu (ldmatrix.trans, P re-packed as A). If the emulation agrees with them, a
// kernel that passes in it uses the hardware's maps, not just the emulation's (see run.sh).
#include "gemm_mma.cu"
#include "decode_attention_mma.cu"
#include <functional>
#include <random>

static void run_grid(dim3 grid, int threads, int smemBytes, const std::function<void()>& body) {
    std::vector<unsigned char> smem(smemBytes);
    gridDim = grid;
    blockDim = {(unsigned)threads, 1, 1};
    for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
            for (unsigned x = 0; x < grid.x; ++x) {
                std::fill(smem.begin(), smem.end(), 0xFF);
                g_smem = smem.data();
                std::vector<EmuWarp> warps(threads / 32);
                g_warps = warps.data();
                std::barrier<> block(threads);
                g_block = &block;
                std::vector<std::thread> th;
                for (int i = 0; i < threads; ++i)
                    th.emplace_back([&, i] {
                        threadIdx = {(unsigned)i, 0, 0};
                        blockIdx = {x, y, z};
                        body();
                    });
                for (auto& t : th) t.join();
            }
}

static float bf(bf16 v) { return __bfloat162float(v); }

static double gemm_case(int M, int N, int K, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    std::vector<bf16> A((size_t)M * K), W((size_t)N * K);
    for (auto& x : A) x = __float2bfloat16(nd(rng));
    for (auto& x : W) x = __float2bfloat16(nd(rng));
    std::vector<float> out((size_t)M * N, NAN);
    run_grid({(unsigned)((N + 127) / 128), (unsigned)((M + 127) / 128), 1}, 128, 3 * 256 * 64 * 2, [&] {
        gemm_mma_128x128_k64(A.data(), W.data(), nullptr, out.data(), 1, nullptr, M, N, K, K);
    });
    double num = 0, den = 0;
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            double r = 0;
            for (int k = 0; k < K; ++k) r += (double)bf(A[(size_t)i * K + k]) * bf(W[(size_t)j * K + k]);
            const double d = out[(size_t)i * N + j] - r;
            num += d * d;
            den += r * r;
        }
    const double rel = std::isnan(num) ? 1.0 : std::sqrt(num / den);
    std::printf("gemm_mma_128x128_k64 M %d N %d K %d: rel err %.3e\n", M, N, K, rel);
    return rel;
}

template <int HD>
static double decode_case(int heads, int kvHeads, int tpp, int len, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    const int group = heads / kvHeads, kvDim = kvHeads * HD, layer = 1, pages = (len + tpp - 1) / tpp;
    const long long pageElems = 2LL * 2 * tpp * kvDim;
    std::vector<bf16> pool((pages + 2) * pageElems);
    for (auto& x : pool) x = __float2bfloat16(nd(rng));
    std::vector<int> table(pages);
    for (int i = 0; i < pages; ++i) table[i] = (i * 7 + 1) % (pages + 2);  // distinct, out of order
    std::vector<float> q(heads * HD), acc(heads * HD, NAN);
    for (auto& x : q) x = nd(rng);
    std::vector<float2> ml(heads);
    const int tokSeq = 0, tokPos = len - 1;
    const float scale = 1.f / std::sqrt((float)HD);
    run_grid({1, (unsigned)kvHeads, 1}, 128, 4 * 2 * 2 * 16 * (HD + 8) * 2, [&] {
        split_mma_body<HD>(q.data(), heads * HD, pool.data(), pageElems, layer, tpp, kvHeads, group, &tokSeq, &tokPos,
                           table.data(), pages, scale, 1 << 20, 1, acc.data(), ml.data());
    });
    auto kv = [&](int j, int which, int kvh, int e) {
        return bf(pool[kv_offset(table[j / tpp], pageElems, layer, which, tpp, j % tpp, kvDim) + (size_t)kvh * HD + e]);
    };
    double num = 0, den = 0;
    for (int h = 0; h < heads; ++h) {
        const int kvh = h / group;
        std::vector<double> s(len);
        double mx = -1e300, sum = 0;
        for (int j = 0; j < len; ++j) {
            double d = 0;
            for (int e = 0; e < HD; ++e) d += (double)q[h * HD + e] * kv(j, 0, kvh, e);
            s[j] = d * scale;
            mx = std::max(mx, s[j]);
        }
        for (auto& x : s) { x = std::exp(x - mx); sum += x; }
        for (int e = 0; e < HD; ++e) {
            double r = 0;
            for (int j = 0; j < len; ++j) r += s[j] * kv(j, 1, kvh, e);
            r /= sum;
            const double d = acc[h * HD + e] / ml[h].y - r;
            num += d * d;
            den += r * r;
        }
    }
    const double rel = std::isnan(num) ? 1.0 : std::sqrt(num / den);
    std::printf("decode_attention_split_mma hd %d heads %d kv %d tpp %d len %d: rel err %.3e\n", HD, heads, kvHeads, tpp, len, rel);
    return rel;
}

int main() {
    double worst = 0;
    worst = std::max(worst, gemm_case(130, 136, 128, 1));
    worst = std::max(worst, decode_case<128>(14, 2, 16, 77, 2));
    worst = std::max(worst, decode_case<64>(8, 1, 5, 40, 3));
    std::printf("worst %.3e\n", worst);
    return worst < 1e-2 ? 0 : 1;
}
