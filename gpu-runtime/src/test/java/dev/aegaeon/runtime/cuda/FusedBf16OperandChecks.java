package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.Tensor;

import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static jcuda.driver.JCudaDriver.cuMemsetD16Async;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * BackendConformanceTest's cases for the fused bf16 operands
 * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#fusedBf16Operands}): a norm or silu_mul followed by the product
 * that reads its output, run with the property off and on, each time on fresh copies of the same
 * inputs in both backends.
 * Both must match the CPU twin, and the fused run must equal the separate conversion bit for bit
 * (same bf16 operand, same product). The output's bf16 copy is poisoned (NaN) before the op, so a
 * product that read a copy the fused kernel did not write would fail.
 */
final class FusedBf16OperandChecks {
    private final TwinBackends b;
    private final Random rnd;

    FusedBf16OperandChecks(TwinBackends b, Random rnd) {
        this.b = b;
        this.rnd = rnd;
    }

    /** rmsNorm, then addRmsNorm with out aliasing x (as the CUDA conformance case does), each read by a product. */
    void normsThenProduct(int rows, int hidden, boolean f32Gamma) {
        float[] xv = random(rnd, rows * hidden, 1), rv = random(rnd, rows * hidden, 3);
        var gamma = f32Gamma ? b.weightF32("g", TwinBackends.randomF32(rnd, hidden, 1), hidden)
                : b.weight("g", random(rnd, hidden, 1), hidden);
        int n = 257;
        var w = b.weight("w", random(rnd, n * hidden, 0.05), n, hidden);
        float[][][] got = new float[2][][];
        for (int fused = 0; fused < 2; fused++) {
            var x = b.tensor(xv, rows, hidden);
            var res = b.tensor(rv, rows, hidden);
            var out = b.empty(rows, hidden);
            var y1 = b.empty(rows, n);
            var y2 = b.empty(rows, n);
            withFused(fused == 1, () -> {
                poisonOperand(out.cuda());
                b.cpu.rmsNorm(x.cpu(), gamma.cpu(), 1e-6f, out.cpu());
                b.cuda.rmsNorm(x.cuda(), gamma.cuda(), 1e-6f, out.cuda());
                product(out, w, y1);
                poisonOperand(x.cuda());
                b.cpu.addRmsNorm(x.cpu(), res.cpu(), gamma.cpu(), 1e-6f, x.cpu());
                b.cuda.addRmsNorm(x.cuda(), res.cuda(), gamma.cuda(), 1e-6f, x.cuda());
                product(x, w, y2);
            });
            String what = (fused == 1 ? "fused " : "separate ") + rows + "x" + hidden + (f32Gamma ? " f32 gamma" : "");
            b.assertClose(what + " rmsNorm", out, rows, 1e-5);
            b.assertClose(what + " rmsNorm product", y1, rows, 1e-2);
            b.assertClose(what + " addRmsNorm residual", res, rows, 1e-6);
            b.assertClose(what + " addRmsNorm out", x, rows, 1e-5);
            b.assertClose(what + " addRmsNorm product", y2, rows, 1e-2);
            got[fused] = new float[][] {host(out, rows), host(y1, rows), host(x, rows), host(y2, rows)};
        }
        for (int i = 0; i < got[0].length; i++) {
            assertArrayEquals(got[0][i], got[1][i], "fused and separate bf16 operands differ (output " + i + ")");
        }
    }

    /** siluMul in place (out = gate, as the engine does), read by the down projection. */
    void siluMulThenProduct(int rows, int cols) {
        float[] gv = random(rnd, rows * cols, 2), uv = random(rnd, rows * cols, 2);
        int n = 64;
        var w = b.weight("down", random(rnd, n * cols, 0.05), n, cols);
        float[][][] got = new float[2][][];
        for (int fused = 0; fused < 2; fused++) {
            var gate = b.tensor(gv, rows, cols);
            var up = b.tensor(uv, rows, cols);
            var y = b.empty(rows, n);
            withFused(fused == 1, () -> {
                poisonOperand(gate.cuda());
                b.cpu.siluMul(gate.cpu(), up.cpu(), gate.cpu());
                b.cuda.siluMul(gate.cuda(), up.cuda(), gate.cuda());
                product(gate, w, y);
            });
            String what = (fused == 1 ? "fused " : "separate ") + rows + "x" + cols;
            b.assertClose(what + " siluMul", gate, rows, 1e-5);
            b.assertClose(what + " siluMul product", y, rows, 1e-2);
            got[fused] = new float[][] {host(gate, rows), host(y, rows)};
        }
        for (int i = 0; i < got[0].length; i++) {
            assertArrayEquals(got[0][i], got[1][i], "fused and separate bf16 operands differ (output " + i + ")");
        }
    }

    private void product(TwinBackends.Pair x, TwinBackends.WeightPair w, TwinBackends.Pair y) {
        b.cpu.linear(x.cpu(), w.cpu(), null, y.cpu());
        b.cuda.linear(x.cuda(), w.cuda(), null, y.cuda());
    }

    /** Fills the tensor's bf16 copy with NaN (allocating it), as if a previous write had left garbage. */
    private void poisonOperand(Tensor t) {
        CudaTensor c = (CudaTensor) t;
        b.cuda.device().ops().graphs().flush();  // launches a step may still hold come first
        cuMemsetD16Async(b.cuda.bf16Shadow(c.storage), (short) 0x7FC0, (long) c.storage.capacityRows * c.cols(),
                b.cuda.device().computeStream());
    }

    private float[] host(TwinBackends.Pair p, int rows) {
        float[] h = new float[rows * p.cuda().cols()];
        b.cuda.copyToHost(p.cuda(), rows, h);
        return h;
    }

    private void withFused(boolean on, Runnable r) {
        boolean before = b.cuda.fusedBf16Operands();
        b.cuda.useFusedBf16Operands(on);
        try {
            r.run();
        } finally {
            b.cuda.useFusedBf16Operands(before);
        }
    }
}
