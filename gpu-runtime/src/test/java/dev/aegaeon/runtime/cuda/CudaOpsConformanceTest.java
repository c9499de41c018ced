package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.RopeScaling;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Random;

import static dev.aegaeon.runtime.cuda.DeviceTestSupport.*;

/**
 * Each element-wise / row-wise op and the matrix products on the device against their fp32/fp64
 * CPU twins, on fresh random inputs with poisoned outputs. bf16 outputs are bounded at 1e-2
 * relative (one bf16 rounding is 2^-9), fp32 outputs at 1e-5. Skips without a GPU.
 */
class CudaOpsConformanceTest {
    static CudaDevice dev;
    DeviceTestSupport t;
    CUstream s;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() {
        CudaAvailability a = CudaAvailability.probe();
        Assumptions.assumeTrue(a.available(), a.reason());
        dev = CudaDevice.open(0, new CudaConfig(0.2, 0.25, 2L << 20, 0));
    }

    @AfterAll
    static void close() { if (dev != null) dev.close(); }

    @BeforeEach
    void buffers() { dev.makeCurrent(); t = new DeviceTestSupport(dev); s = dev.computeStream(); }

    @AfterEach
    void free() { t.close(); }

    @Test
    void embedding() {
        int vocab = 1000, hidden = 384, tokens = 7;
        float[] table = randomBf16(rnd, vocab * hidden, 1f);
        int[] ids = new int[tokens];
        for (int i = 0; i < tokens; i++) ids[i] = rnd.nextInt(vocab);
        CUdeviceptr out = t.poisonedF32((long) tokens * hidden);
        dev.ops().embedding(s, t.i32(ids), t.bf16(table), out, tokens, hidden);
        float[] ref = new float[tokens * hidden];
        for (int i = 0; i < tokens; i++) System.arraycopy(table, ids[i] * hidden, ref, i * hidden, hidden);
        assertClose("embedding", ref, t.readF32(out, tokens * hidden), 0);
    }

    @ParameterizedTest
    @CsvSource({"5, 3584, true", "3, 64, false", "2, 1000, true"})
    void addRmsNorm(int tokens, int hidden, boolean withDelta) {
        float[] res = new float[tokens * hidden];
        for (int i = 0; i < res.length; i++) res[i] = (float) rnd.nextGaussian() * 3;
        float[] delta = randomBf16(rnd, tokens * hidden, 1f);
        float[] w = randomBf16(rnd, hidden, 1f);
        float eps = 1e-6f;
        CUdeviceptr dRes = t.f32(res), out = t.poisonedBf16((long) tokens * hidden);
        dev.ops().addRmsNorm(s, dRes, withDelta ? t.bf16(delta) : CudaOps.NONE, t.bf16(w), out, tokens, hidden, eps);
        float[] refRes = res.clone(), refOut = new float[res.length];
        for (int r = 0; r < tokens; r++) {
            double ss = 0;
            for (int i = 0; i < hidden; i++) {
                int j = r * hidden + i;
                if (withDelta) refRes[j] = res[j] + delta[j];
                ss += (double) refRes[j] * refRes[j];
            }
            double inv = 1 / Math.sqrt(ss / hidden + eps);
            for (int i = 0; i < hidden; i++) refOut[r * hidden + i] = (float) (refRes[r * hidden + i] * inv * w[i]);
        }
        assertClose("residual", refRes, t.readF32(dRes, res.length), 1e-6);
        assertClose("rmsnorm", refOut, t.readBf16(out, res.length), 1e-2);
    }

    @Test
    void headRmsNorm() {
        int tokens = 6, heads = 5, hd = 128, stride = heads * hd + 100;
        float[] x = randomBf16(rnd, tokens * stride, 2f), w = randomBf16(rnd, hd, 1f);
        CUdeviceptr dx = t.bf16(x);
        dev.ops().headRmsNorm(s, dx, stride, tokens, heads, hd, t.bf16(w), 1e-6f);
        float[] ref = x.clone();
        for (int r = 0; r < tokens; r++)
            for (int h = 0; h < heads; h++) {
                int o = r * stride + h * hd;
                double ss = 0;
                for (int i = 0; i < hd; i++) ss += (double) x[o + i] * x[o + i];
                double inv = 1 / Math.sqrt(ss / hd + 1e-6);
                for (int i = 0; i < hd; i++) ref[o + i] = (float) (x[o + i] * inv * w[i]);
            }
        assertClose("head_rmsnorm", ref, t.readBf16(dx, x.length), 1e-2);
    }

    @ParameterizedTest
    @CsvSource({"128, false", "64, true", "16, false"})
    void rope(int hd, boolean llama31) {
        RopeScaling scaling = llama31 ? new RopeScaling.Llama3(8, 1, 4, 8192) : RopeScaling.NONE;
        var cfg = new ModelConfig(ModelFamily.LLAMA, "LlamaForCausalLM", 100, hd * 4, 64, 1, 4, 2, hd,
                1e-5, 500000, scaling, 131072, false, List.of(), null);
        float[] inv = RopeFrequencies.invFreq(cfg);
        int tokens = 9, qh = 4, kh = 2, stride = (qh + 2 * kh) * hd;
        float[] x = randomBf16(rnd, tokens * stride, 1f);
        int[] pos = new int[tokens];
        for (int i = 0; i < tokens; i++) pos[i] = rnd.nextInt(20000);
        CUdeviceptr dx = t.bf16(x);
        dev.ops().rope(s, dx, dx.withByteOffset(2L * qh * hd), stride, tokens, qh, kh, hd, t.i32(pos), t.f32(inv));
        float[] ref = x.clone();
        for (int r = 0; r < tokens; r++)
            for (int h = 0; h < qh + kh; h++) {
                int o = r * stride + h * hd;
                for (int i = 0; i < hd / 2; i++) {
                    double th = (double) (float) (pos[r] * inv[i]);
                    double c = Math.cos(th), sn = Math.sin(th), a = x[o + i], b = x[o + i + hd / 2];
                    ref[o + i] = (float) (a * c - b * sn);
                    ref[o + i + hd / 2] = (float) (b * c + a * sn);
                }
            }
        assertClose("rope", ref, t.readBf16(dx, x.length), 1e-2);
    }

    @Test
    void siluMulAndBias() {
        int tokens = 4, ffn = 1000;
        float[] gu = randomBf16(rnd, tokens * 2 * ffn, 2f), bias = randomBf16(rnd, ffn, 1f);
        CUdeviceptr out = t.poisonedBf16((long) tokens * ffn);
        dev.ops().siluMul(s, t.bf16(gu), out, tokens, ffn);
        float[] ref = new float[tokens * ffn];
        for (int r = 0; r < tokens; r++)
            for (int i = 0; i < ffn; i++) {
                double g = gu[r * 2 * ffn + i], u = gu[r * 2 * ffn + ffn + i];
                ref[r * ffn + i] = (float) (g / (1 + Math.exp(-g)) * u);
            }
        float[] got = t.readBf16(out, ref.length);
        assertClose("silu_mul", ref, got, 1e-2);
        dev.ops().addBias(s, out, t.bf16(bias), tokens, ffn);
        for (int r = 0; r < tokens; r++) for (int i = 0; i < ffn; i++) ref[r * ffn + i] = got[r * ffn + i] + bias[i];
        assertClose("add_bias", ref, t.readBf16(out, ref.length), 1e-2);
    }

    /** GEMV (M <= 8), tensor-core tiles (64/128), split-K, K not a multiple of 8, bias, f32 out. */
    @ParameterizedTest
    @CsvSource({
        "1, 3584, 3584, true, false", "2, 777, 1000, false, true", "5, 300, 4104, true, true",
        "8, 4608, 3584, true, false", "3, 65, 70, false, false",
        "16, 512, 3584, false, true", "64, 3584, 3584, true, false", "100, 600, 2048, true, true",
        "300, 1000, 512, false, false", "129, 130, 99, true, true", "33, 257, 18944, false, false"})
    void matmul(int m, int n, int k, boolean bias, boolean outF32) {
        float[] x = randomBf16(rnd, m * k, 1f), w = randomBf16(rnd, n * k, 0.05f), b = randomBf16(rnd, n, 1f);
        CUdeviceptr out = outF32 ? t.poisonedF32((long) m * n) : t.poisonedBf16((long) m * n);
        CUdeviceptr ws = t.alloc(dev.ops().matmulWorkspaceBytes());
        dev.ops().matmul(s, t.bf16(x), t.bf16(w), bias ? t.bf16(b) : CudaOps.NONE, out, outF32, m, n, k, ws);
        float[] ref = new float[m * n];
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++) {
                double acc = bias ? b[c] : 0;
                for (int i = 0; i < k; i++) acc += (double) x[r * k + i] * w[c * k + i];
                ref[r * n + c] = (float) acc;
            }
        float[] got = outF32 ? t.readF32(out, m * n) : t.readBf16(out, m * n);
        assertClose("matmul " + m + "x" + n + "x" + k, ref, got, outF32 ? 1e-5 : 1e-2);
    }
}
