package dev.aegaeon.runtime.cuda.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code out = x . W^T (+ bias)} on cuBLASLt for one CUDA context, with the operands as the
 * backend keeps them: x [m, k] and W [n, k] row-major bf16, out [m, n] row-major bf16 or fp32,
 * bias [n] bf16 or fp32. Row-major x and W are column-major k x m and k x n, so the product is computed as
 * column-major {@code out^T (n x m) = op_T(W) . x}, with the bias epilogue adding bias per row of
 * {@code out^T}. A plan (descriptors and the heuristic's best algorithm) is kept per shape and
 * alignment, least recently used dropped past {@link #PLANS}. Calls are serialised; the product is
 * enqueued on the caller's stream like a kernel launch. The bias's type is declared
 * ({@code BIAS_DATA_TYPE}): the H100's heuristic offers nothing for a bf16 bias on an fp32 output,
 * so the backend keeps an fp32 copy of such biases for the epilogue; shapes for which the heuristic offers nothing are remembered
 * and refused, so the caller's own kernel runs them. A pair of products of one x and equal shapes
 * ({@link #runPair}) is one strided-batched call of two: its batch strides are the distances between
 * the two weights, biases and outputs, set on the plan's layouts at each call.
 */
public final class CublasLtMatmul implements AutoCloseable {
    /** Bytes of workspace offered to the algorithms (cuBLAS's recommendation for Hopper). */
    public static final long WORKSPACE_BYTES = 32L << 20;
    static final int PLANS = 512;
    // cuBLAS / CUDA enum values (cublasLt.h, library_types.h)
    private static final int COMPUTE_32F = 68, R_32F = 0, R_16BF = 14, OP_N = 0, OP_T = 1;
    private static final int DESC_TRANSA = 3, DESC_TRANSB = 4, DESC_EPILOGUE = 7, DESC_BIAS_POINTER = 8, DESC_BIAS_BATCH_STRIDE = 10,
            DESC_BIAS_DATA_TYPE = 26;
    private static final int LAYOUT_BATCH_COUNT = 5, LAYOUT_STRIDED_BATCH_OFFSET = 6;
    private static final int EPILOGUE_DEFAULT = 1, EPILOGUE_BIAS = 4;
    private static final int PREF_MAX_WORKSPACE = 1, PREF_ALIGN_A = 5, PREF_ALIGN_B = 6, PREF_ALIGN_C = 7, PREF_ALIGN_D = 8;
    /** sizeof(cublasLtMatmulHeuristicResult_t): algo (8 x uint64), size_t workspace, status, waves, int[4]. */
    private static final long HEURISTIC_BYTES = 96;

    private record Shape(int m, int n, int k, boolean outF32, boolean bias, boolean biasF32, int alignX, int alignW, int alignOut,
                         boolean pair) {
        Shape(int m, int n, int k, boolean outF32, boolean bias, boolean biasF32, int alignX, int alignW, int alignOut) {
            this(m, n, k, outF32, bias, biasF32, alignX, alignW, alignOut, false);
        }
    }

    /** A pair's second operands as element distances from its first (non-negative: cuBLASLt's batch strides). */
    record PairStrides(long weights, long bias, long out) {}

    /** Descriptors and the chosen algorithm; {@code memory} holds the algorithm's bytes and goes with the plan. */
    private record Plan(MemorySegment desc, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment algo, Arena memory) {}

    private final CublasLtLibrary lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle, one, zero, biasSlot, strideSlot;
    private final long workspace;
    private final Map<Shape, Plan> plans = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<Shape, Boolean> unsupported = new LinkedHashMap<>();

    /**
     * A handle on the CUDA context current on this thread.
     *
     * @param workspace device address of {@link #WORKSPACE_BYTES} bytes for this object alone
     */
    public CublasLtMatmul(CublasLtLibrary lib, long workspace) {
        this.lib = lib;
        this.workspace = workspace;
        MemorySegment h = arena.allocate(ADDRESS);
        check(call(lib.create, h), "cublasLtCreate");
        handle = h.get(ADDRESS, 0);
        one = arena.allocateFrom(JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(JAVA_FLOAT, 0f);
        biasSlot = arena.allocate(JAVA_LONG);
        strideSlot = arena.allocate(JAVA_LONG);
    }

    /**
     * Enqueues the product on {@code stream} (a CUstream's address, 0 for the default stream) and
     * answers true, or answers false, enqueuing nothing, when cuBLASLt offers no algorithm for this
     * shape and alignment (the caller then runs its own kernel).
     */
    public boolean run(long stream, long x, long w, long bias, long out, boolean outF32, int m, int n, int k) {
        return run(stream, x, w, bias, false, out, outF32, m, n, k);
    }

    /** As {@link #run(long, long, long, long, long, boolean, int, int, int)}, with an fp32 bias where {@code biasF32}. */
    public synchronized boolean run(long stream, long x, long w, long bias, boolean biasF32, long out, boolean outF32, int m, int n, int k) {
        return enqueue(stream, x, w, bias, biasF32, out, outF32, m, n, k, zero);
    }

    /**
     * {@code out += x . W^T} into fp32 {@code out}, without bias (beta 1: C is D, read before it is
     * written), as {@link #run}; the plan is the one of the plain product of the shape.
     */
    public synchronized boolean runAccumulate(long stream, long x, long w, long out, int m, int n, int k) {
        return enqueue(stream, x, w, 0, false, out, true, m, n, k, one);
    }

    private boolean enqueue(long stream, long x, long w, long bias, boolean biasF32, long out, boolean outF32, int m, int n, int k,
                            MemorySegment beta) {
        Plan p = planFor(new Shape(m, n, k, outF32, bias != 0, bias != 0 && biasF32, alignment(x), alignment(w), alignment(out)));
        return p != null && enqueue(p, stream, x, w, bias, out, beta);
    }

    private boolean enqueue(Plan p, long stream, long x, long w, long bias, long out, MemorySegment beta) {
        if (bias != 0) {
            biasSlot.set(JAVA_LONG, 0, bias); // read by the call below, on the host
            check(call(lib.matmulDescSetAttribute, p.desc(), DESC_BIAS_POINTER, biasSlot, 8L), "cublasLtMatmulDescSetAttribute(bias)");
        }
        MemorySegment d = MemorySegment.ofAddress(out);
        int status;
        try { // invokeExact: this is on every prefill product's path
            status = (int) lib.matmul.invokeExact(handle, p.desc(), one, MemorySegment.ofAddress(w), p.a(),
                    MemorySegment.ofAddress(x), p.b(), beta, d, p.d(), d, p.d(), p.algo(),
                    MemorySegment.ofAddress(workspace), WORKSPACE_BYTES, MemorySegment.ofAddress(stream));
        } catch (Throwable t) {
            throw new IllegalStateException("cuBLASLt call failed", t);
        }
        check(status, "cublasLtMatmul");
        return true;
    }

    /**
     * {@code out0 = x . W0^T (+ bias0)} and {@code out1 = x . W1^T (+ bias1)}, W0 and W1 of one shape,
     * as one batched call enqueued on {@code stream}: true, or false with nothing enqueued where
     * cuBLASLt offers no batched algorithm or the operands' distances cannot be batch strides (the
     * caller then runs two products). Biases are both 0 or both given, of one type.
     */
    public synchronized boolean runPair(long stream, long x, long w0, long w1, long bias0, long bias1, boolean biasF32,
                                        long out0, long out1, boolean outF32, int m, int n, int k) {
        if (w1 < w0) return runPair(stream, x, w1, w0, bias1, bias0, biasF32, out1, out0, outF32, m, n, k);
        PairStrides strides = strides(w0, w1, bias0, bias1, biasF32, out0, out1, outF32);
        Plan p = strides == null ? null : planFor(pairShape(x, w0, w1, bias0, biasF32, out0, out1, outF32, m, n, k));
        if (p == null) return false;
        setLayoutStride(p.a(), strides.weights());
        setLayoutStride(p.d(), strides.out());
        if (bias0 != 0) {
            strideSlot.set(JAVA_LONG, 0, strides.bias());
            check(call(lib.matmulDescSetAttribute, p.desc(), DESC_BIAS_BATCH_STRIDE, strideSlot, 8L), "cublasLtMatmulDescSetAttribute(bias stride)");
        }
        return enqueue(p, stream, x, w0, bias0, out0, zero);
    }

    /** Whether {@link #runPair} with these arguments would enqueue the pair (planned now, on the host). */
    public synchronized boolean supportsPair(long x, long w0, long w1, long bias0, long bias1, boolean biasF32,
                                             long out0, long out1, boolean outF32, int m, int n, int k) {
        if (w1 < w0) return supportsPair(x, w1, w0, bias1, bias0, biasF32, out1, out0, outF32, m, n, k);
        return strides(w0, w1, bias0, bias1, biasF32, out0, out1, outF32) != null
                && planFor(pairShape(x, w0, w1, bias0, biasF32, out0, out1, outF32, m, n, k)) != null;
    }

    private static Shape pairShape(long x, long w0, long w1, long bias0, boolean biasF32, long out0, long out1, boolean outF32,
                                   int m, int n, int k) {
        return new Shape(m, n, k, outF32, bias0 != 0, bias0 != 0 && biasF32, alignment(x), Math.min(alignment(w0), alignment(w1)),
                Math.min(alignment(out0), alignment(out1)), true);
    }

    /** The pair's strides with W0 below W1, or null where a bias or output lies the other way or off the element grid. */
    static PairStrides strides(long w0, long w1, long bias0, long bias1, boolean biasF32, long out0, long out1, boolean outF32) {
        if ((bias0 == 0) != (bias1 == 0)) return null;
        long outBytes = outF32 ? 4 : 2, biasBytes = biasF32 ? 4 : 2;
        long dw = w1 - w0, db = bias1 - bias0, dout = out1 - out0;
        if (dw <= 0 || dout <= 0 || db < 0 || dw % 2 != 0 || dout % outBytes != 0 || db % biasBytes != 0) return null;
        if (bias0 != 0 && db == 0) return null;
        return new PairStrides(dw / 2, db / biasBytes, dout / outBytes);
    }

    private void setLayoutStride(MemorySegment layout, long elements) {
        strideSlot.set(JAVA_LONG, 0, elements);
        check(call(lib.matrixLayoutSetAttribute, layout, LAYOUT_STRIDED_BATCH_OFFSET, strideSlot, 8L), "cublasLtMatrixLayoutSetAttribute(stride)");
    }

    /**
     * Whether {@link #run} with these arguments would enqueue the product (it plans the shape now,
     * on the host): a caller recording a step decides here, then runs it when the step is issued.
     */
    public boolean supports(long x, long w, long bias, long out, boolean outF32, int m, int n, int k) {
        return supports(x, w, bias, false, out, outF32, m, n, k);
    }

    /** As {@link #supports(long, long, long, long, boolean, int, int, int)}, with an fp32 bias where {@code biasF32}. */
    public synchronized boolean supports(long x, long w, long bias, boolean biasF32, long out, boolean outF32, int m, int n, int k) {
        return planFor(new Shape(m, n, k, outF32, bias != 0, bias != 0 && biasF32, alignment(x), alignment(w), alignment(out))) != null;
    }

    /** The cached plan of {@code shape}, planned on first use; null when cuBLASLt offers none. */
    private Plan planFor(Shape shape) {
        if (unsupported.containsKey(shape)) return null;
        Plan p = plans.get(shape);
        if (p == null) {
            p = plan(shape);
            if (p == null) {
                if (unsupported.size() > PLANS) unsupported.clear();
                unsupported.put(shape, true);
                return null;
            }
            plans.put(shape, p);
            if (plans.size() > PLANS) {
                var eldest = plans.entrySet().iterator();
                destroy(eldest.next().getValue());
                eldest.remove();
            }
        }
        return p;
    }

    /** A plan for {@code s}, or null when the heuristic offers no algorithm; temporaries live only for the call. */
    private Plan plan(Shape s) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ADDRESS);
            check(call(lib.matmulDescCreate, out, COMPUTE_32F, R_32F), "cublasLtMatmulDescCreate");
            MemorySegment desc = out.get(ADDRESS, 0);
            MemorySegment a = MemorySegment.NULL, b = MemorySegment.NULL, d = MemorySegment.NULL;
            boolean kept = false;
            try {
                setDesc(tmp, desc, DESC_TRANSA, OP_T);
                setDesc(tmp, desc, DESC_TRANSB, OP_N);
                setDesc(tmp, desc, DESC_EPILOGUE, s.bias() ? EPILOGUE_BIAS : EPILOGUE_DEFAULT);
                if (s.bias()) setDesc(tmp, desc, DESC_BIAS_DATA_TYPE, s.biasF32() ? R_32F : R_16BF);
                a = layout(tmp, R_16BF, s.k(), s.n(), s.k());
                b = layout(tmp, R_16BF, s.k(), s.m(), s.k());
                d = layout(tmp, s.outF32() ? R_32F : R_16BF, s.n(), s.m(), s.n());
                if (s.pair()) { // planned with dense strides; each call sets the pair's own
                    batch(tmp, a, (long) s.n() * s.k());
                    batch(tmp, b, 0);
                    batch(tmp, d, (long) s.n() * s.m());
                    if (s.bias()) setDescLong(tmp, desc, DESC_BIAS_BATCH_STRIDE, s.n());
                }
                MemorySegment results = tmp.allocate(HEURISTIC_BYTES, 8);
                if (!heuristic(tmp, s, desc, a, b, d, results)) return null;
                Arena memory = Arena.ofShared();
                MemorySegment algo = memory.allocate(64, 8).copyFrom(results.asSlice(0, 64));
                kept = true;
                return new Plan(desc, a, b, d, algo, memory);
            } finally {
                if (!kept) destroy(new Plan(desc, a, b, d, MemorySegment.NULL, null));
            }
        }
    }

    /** Asks for the best algorithm into {@code results}; false when there is none. */
    private boolean heuristic(Arena tmp, Shape s, MemorySegment desc, MemorySegment a, MemorySegment b, MemorySegment d,
                              MemorySegment results) {
        MemorySegment pref = tmp.allocate(ADDRESS);
        check(call(lib.preferenceCreate, pref), "cublasLtMatmulPreferenceCreate");
        MemorySegment preference = pref.get(ADDRESS, 0);
        try {
            check(call(lib.preferenceSetAttribute, preference, PREF_MAX_WORKSPACE, tmp.allocateFrom(JAVA_LONG, WORKSPACE_BYTES), 8L),
                    "preference(workspace)");
            setPref(tmp, preference, PREF_ALIGN_A, s.alignW());
            setPref(tmp, preference, PREF_ALIGN_B, s.alignX());
            setPref(tmp, preference, PREF_ALIGN_C, s.alignOut());
            setPref(tmp, preference, PREF_ALIGN_D, s.alignOut());
            MemorySegment count = tmp.allocate(JAVA_INT);
            int status = call(lib.algoGetHeuristic, handle, desc, a, b, d, d, preference, 1, results, count);
            return status == 0 && count.get(JAVA_INT, 0) > 0;
        } finally {
            call(lib.preferenceDestroy, preference);
        }
    }

    private MemorySegment layout(Arena tmp, int type, long rows, long cols, long ld) {
        MemorySegment out = tmp.allocate(ADDRESS);
        check(call(lib.matrixLayoutCreate, out, type, rows, cols, ld), "cublasLtMatrixLayoutCreate");
        return out.get(ADDRESS, 0);
    }

    private void batch(Arena tmp, MemorySegment layout, long stride) {
        check(call(lib.matrixLayoutSetAttribute, layout, LAYOUT_BATCH_COUNT, tmp.allocateFrom(JAVA_INT, 2), 4L), "layout(batch count)");
        check(call(lib.matrixLayoutSetAttribute, layout, LAYOUT_STRIDED_BATCH_OFFSET, tmp.allocateFrom(JAVA_LONG, stride), 8L),
                "layout(batch stride)");
    }

    private void setDescLong(Arena tmp, MemorySegment desc, int attribute, long value) {
        check(call(lib.matmulDescSetAttribute, desc, attribute, tmp.allocateFrom(JAVA_LONG, value), 8L),
                "cublasLtMatmulDescSetAttribute(" + attribute + ")");
    }

    private void setDesc(Arena tmp, MemorySegment desc, int attribute, int value) {
        check(call(lib.matmulDescSetAttribute, desc, attribute, tmp.allocateFrom(JAVA_INT, value), 4L),
                "cublasLtMatmulDescSetAttribute(" + attribute + ")");
    }

    private void setPref(Arena tmp, MemorySegment pref, int attribute, int value) {
        check(call(lib.preferenceSetAttribute, pref, attribute, tmp.allocateFrom(JAVA_INT, value), 4L),
                "cublasLtMatmulPreferenceSetAttribute(" + attribute + ")");
    }

    /** Frees what the plan holds; null handles (a plan that failed half-made) are skipped. */
    private void destroy(Plan p) {
        for (MemorySegment layout : new MemorySegment[] {p.a(), p.b(), p.d()}) {
            if (!MemorySegment.NULL.equals(layout)) call(lib.matrixLayoutDestroy, layout);
        }
        call(lib.matmulDescDestroy, p.desc());
        if (p.memory() != null) p.memory().close();
    }

    /** The largest power of two up to 256 dividing {@code address} (cuBLASLt's alignment preference). */
    static int alignment(long address) {
        if (address == 0) return 256;
        return (int) Math.min(256, Long.lowestOneBit(address));
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new IllegalStateException("cuBLASLt call failed", t);
        }
    }

    private static void check(int status, String what) {
        if (status != 0) throw new IllegalStateException(what + " returned cuBLAS status " + status);
    }

    @Override
    public synchronized void close() {
        plans.values().forEach(this::destroy);
        plans.clear();
        call(lib.destroy, handle);
        arena.close();
    }
}
