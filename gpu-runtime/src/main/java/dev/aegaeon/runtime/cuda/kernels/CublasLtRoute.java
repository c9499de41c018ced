package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.blas.CublasLtMatmul;
import dev.aegaeon.runtime.cuda.blas.CublasLtProducts;
import dev.aegaeon.runtime.cuda.blas.DevicePointers;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The products {@link CudaOps} hands to cuBLASLt, enqueued now or, while a step records on the
 * stream, recorded in order with the step's kernels (a direct call would overtake them) and so
 * captured into its graph. cuBLASLt is opened on first use; where the machine has none, or it
 * offers no algorithm for a shape, nothing is enqueued and the caller runs its own kernel.
 */
final class CublasLtRoute {
    /** What {@link #product} did: nothing, the whole product, or the product with the bf16 bias left to add after it. */
    enum Outcome { DECLINED, RAN, RAN_BIAS_AFTER }

    /** Mark cuBLASLt calls in a recorded step (see {@link StepGraphs.Launch}); never launched as kernels. */
    private static final CUfunction PRODUCT = new CUfunction(), ACCUMULATE = new CUfunction(), PAIR = new CUfunction();

    private final Supplier<StepGraphs> graphs;
    private final Supplier<LaunchProfile> profile;
    private CublasLtMatmul blas;
    private boolean tried;
    private long products, f32BiasEpilogues, accumulates;

    CublasLtRoute(Supplier<StepGraphs> graphs, Supplier<LaunchProfile> profile) {
        this.graphs = graphs;
        this.profile = profile;
    }

    /**
     * {@code out = x . W^T (+ bias)}. cuBLASLt has no bias epilogue for a bf16 bias on fp32 output:
     * the epilogue takes the bias's fp32 copy {@code biasF32} where the caller has one, else the
     * product runs here and the caller adds the bias after it (launched after the profile closes
     * cuBLASLt's span).
     */
    Outcome product(CUstream s, CUdeviceptr x, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr biasF32, CUdeviceptr out,
                    boolean outF32, int m, int n, int k) {
        if (blas() == null) return Outcome.DECLINED;
        long stream = DevicePointers.handle(s), xAt = DevicePointers.address(x), wAt = DevicePointers.address(w);
        long biasAt = DevicePointers.address(bias), outAt = DevicePointers.address(out), f32At = DevicePointers.address(biasF32);
        boolean whole = blas.supports(xAt, wAt, biasAt, outAt, outF32, m, n, k);
        boolean f32Epilogue = !whole && biasAt != 0 && f32At != 0 && outF32 && blas.supports(xAt, wAt, f32At, true, outAt, true, m, n, k);
        boolean biasAfter = !whole && !f32Epilogue && biasAt != 0 && outF32 && blas.supports(xAt, wAt, 0, outAt, true, m, n, k);
        if (!whole && !f32Epilogue && !biasAfter) return Outcome.DECLINED;
        long epilogueBias = whole ? biasAt : f32Epilogue ? f32At : 0;
        CUdeviceptr recordedBias = whole ? bias : f32Epilogue ? biasF32 : CudaOps.NONE;
        CublasLtMatmul lt = blas;
        issue(s, PRODUCT, new Object[] {x, w, recordedBias, out, outF32 ? 1 : 0, m, n, k},
                () -> lt.run(stream, xAt, wAt, epilogueBias, f32Epilogue, outAt, outF32, m, n, k), m, n, k);
        if (f32Epilogue) f32BiasEpilogues++;
        return biasAfter ? Outcome.RAN_BIAS_AFTER : Outcome.RAN;
    }

    /** {@code outF32 += xBf16 . W^T} (beta 1, no bias); false, nothing enqueued, where cuBLASLt is absent or declines. */
    boolean accumulate(CUstream s, CUdeviceptr xBf16, CUdeviceptr w, CUdeviceptr outF32, int m, int n, int k) {
        if (blas() == null) return false;
        long stream = DevicePointers.handle(s), xAt = DevicePointers.address(xBf16), wAt = DevicePointers.address(w);
        long outAt = DevicePointers.address(outF32);
        if (!blas.supports(xAt, wAt, 0, outAt, true, m, n, k)) return false;
        CublasLtMatmul lt = blas;
        issue(s, ACCUMULATE, new Object[] {xBf16, w, outF32, m, n, k}, () -> lt.runAccumulate(stream, xAt, wAt, outAt, m, n, k), m, n, k);
        accumulates++;
        return true;
    }

    /**
     * {@code out0 = x . W0^T (+ bias0)} and {@code out1 = x . W1^T (+ bias1)} as one batched product
     * (W0 and W1 of one shape; biases both {@link CudaOps#NONE} or both of the epilogue's type:
     * fp32 on fp32 outputs, bf16 on bf16); false, nothing enqueued, where cuBLASLt is absent or declines.
     */
    boolean pair(CUstream s, CUdeviceptr x, CUdeviceptr w0, CUdeviceptr w1, CUdeviceptr bias0, CUdeviceptr bias1,
                 CUdeviceptr out0, CUdeviceptr out1, boolean outF32, int m, int n, int k) {
        if (blas() == null) return false;
        long stream = DevicePointers.handle(s), xAt = DevicePointers.address(x);
        long w0At = DevicePointers.address(w0), w1At = DevicePointers.address(w1);
        long b0At = DevicePointers.address(bias0), b1At = DevicePointers.address(bias1);
        long o0At = DevicePointers.address(out0), o1At = DevicePointers.address(out1);
        if (!blas.supportsPair(xAt, w0At, w1At, b0At, b1At, outF32, o0At, o1At, outF32, m, n, k)) return false;
        CublasLtMatmul lt = blas;
        issue(s, PAIR, new Object[] {x, w0, w1, bias0, bias1, out0, out1, outF32 ? 1 : 0, m, n, k},
                () -> lt.runPair(stream, xAt, w0At, w1At, b0At, b1At, outF32, o0At, o1At, outF32, m, n, k), m, n, k);
        return true;
    }

    private CublasLtMatmul blas() {
        if (!tried) {
            tried = true;
            blas = CublasLtProducts.open().orElse(null);
        }
        return blas;
    }

    private void issue(CUstream s, CUfunction marker, Object[] args, BooleanSupplier call, int m, int n, int k) {
        Runnable product = () -> {
            if (!call.getAsBoolean()) {
                throw new IllegalStateException("cuBLASLt refused a product it had planned: " + m + "x" + n + "x" + k);
            }
        };
        if (!graphs.get().offer(new StepGraphs.Launch(marker, 0, 0, 0, 0, 0, s, args, product))) {
            LaunchProfile p = profile.get();
            if (p != null) p.before("cublasLt", s);
            product.run();
            if (p != null) p.after(s);
        }
        products++;
    }

    long products() { return products; }

    long f32BiasEpilogues() { return f32BiasEpilogues; }

    long accumulates() { return accumulates; }
}
