package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CPU backend (the oracle) and the CUDA backend side by side, with identical inputs: data
 * enters either backend as a bf16 weight (so both hold the very same values) and becomes an
 * activation through the interface's own embedding op.
 */
final class TwinBackends {
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    final Backend cpu;
    final CudaBackend cuda;
    private final Arena arena = Arena.ofAuto();

    record Pair(Tensor cpu, Tensor cuda) {}

    record WeightPair(Weight cpu, Weight cuda) {}

    /**
     * The CPU backend and a CUDA backend on device 0 (30% of its free memory), or null where CUDA is
     * unavailable: the class is then {@link RequiresCuda}, whose tests are each reported skipped.
     */
    static TwinBackends openOrSkip() {
        if (!RequiresCuda.Condition.usable(1)) return null;
        return new TwinBackends(new dev.aegaeon.runtime.backend.cpu.CpuBackend(4),
                new CudaBackend(CudaDevice.open(0, CudaConfig.oneAllocation(0.3)), true));
    }

    /** Closes both backends (null-safe, for @AfterAll after a skipped @BeforeAll). */
    static void close(TwinBackends b) {
        if (b != null) { b.cuda.close(); b.cpu.close(); }
    }

    TwinBackends(Backend cpu, CudaBackend cuda) {
        this.cpu = cpu;
        this.cuda = cuda;
    }

    /** Gaussian values rounded to bf16, so that no backend rounds them differently. */
    static float[] random(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = DType.bf16ToFloat(DType.floatToBf16((float) (rnd.nextGaussian() * scale)));
        return a;
    }

    /** Gaussian values with full fp32 mantissas, as a float32 checkpoint holds. */
    static float[] randomF32(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    /** A weight stored as F32 in both backends (a float32 checkpoint: CUDA must not round it). */
    WeightPair weightF32(String name, float[] values, long... shape) {
        MemorySegment seg = arena.allocate(4L * values.length, 4);
        MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, values.length);
        WeightTensor t = new WeightTensor(name, DType.F32, shape, seg);
        return new WeightPair(cpu.loadWeight(t), cuda.loadWeight(t));
    }

    WeightPair weight(String name, float[] values, long... shape) {
        MemorySegment seg = arena.allocate(2L * values.length, 2);
        for (int i = 0; i < values.length; i++) seg.set(SHORT_LE, 2L * i, DType.floatToBf16(values[i]));
        WeightTensor t = new WeightTensor(name, DType.BF16, shape, seg);
        return new WeightPair(cpu.loadWeight(t), cuda.loadWeight(t));
    }

    /** A [rows x cols] activation holding {@code values} on both backends. */
    Pair tensor(float[] values, int rows, int cols) {
        WeightPair table = weight("input", values, rows, cols);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) ids[i] = i;
        StepLayout l = new StepLayout(ids, new int[rows], new int[rows], new int[] {0, rows}, new int[] {rows},
                new int[0], 0, new int[0]);
        Pair p = empty(rows, cols);
        cpu.embed(table.cpu(), cpu.beginStep(l), p.cpu());
        cuda.embed(table.cuda(), cuda.beginStep(l), p.cuda());
        return p;
    }

    /**
     * Exact fp32 values on both backends (the CPU embeds an F32 table; CUDA, which keeps weights as
     * bf16, gets a plain copy), for ops such as sampling where bf16 ties would blur the comparison.
     */
    Pair exactTensor(float[] values, int rows, int cols) {
        MemorySegment seg = arena.allocate(4L * values.length, 4);
        MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, values.length);
        Weight table = cpu.loadWeight(new WeightTensor("exact", DType.F32, new long[] {rows, cols}, seg));
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) ids[i] = i;
        StepLayout l = new StepLayout(ids, new int[rows], new int[rows], new int[] {0, rows}, new int[] {rows},
                new int[0], 0, new int[0]);
        Pair p = empty(rows, cols);
        cpu.embed(table, cpu.beginStep(l), p.cpu());
        cuda.device().synchronize();
        jcuda.driver.JCudaDriver.cuMemcpyHtoD(((CudaTensor) p.cuda()).writePtr(), jcuda.Pointer.to(values), 4L * values.length);
        return p;
    }

    /** Output tensors; the CUDA one is filled with NaN so an element the kernel skips is caught. */
    Pair empty(int rows, int cols) {
        Pair p = new Pair(cpu.allocate(rows, cols), cuda.allocate(rows, cols));
        poison(p.cuda());
        return p;
    }

    void poison(Tensor t) {
        CudaTensor c = (CudaTensor) t;
        cuMemsetD32Async(c.writePtr(), 0x7FC00000, (long) c.storage.capacityRows * c.cols(), cuda.device().computeStream());
    }

    record Steps(StepInputs cpu, StepInputs cuda) {}

    Steps step(StepLayout l) { return new Steps(cpu.beginStep(l), cuda.beginStep(l)); }

    /**
     * linear on fresh random x [m, k] and bf16 W [n, k] (+ a bf16 bias) on both backends: the CUDA
     * output (poisoned first) within {@code bound} of the CPU's ({@link #assertClose}).
     */
    void assertLinearMatches(Random rnd, String what, int m, int n, int k, boolean withBias, double bound) {
        var x = tensor(random(rnd, m * k, 1), m, k);
        var w = weight("w", random(rnd, n * k, 0.05), n, k);
        var bias = withBias ? weight("bias", random(rnd, n, 1), n) : null;
        var out = empty(m, n);
        cpu.linear(x.cpu(), w.cpu(), bias == null ? null : bias.cpu(), out.cpu());
        cuda.linear(x.cuda(), w.cuda(), bias == null ? null : bias.cuda(), out.cuda());
        assertClose(what, out, m, bound);
    }

    /** Both backends' rows, compared by ||cuda - cpu|| / ||cpu|| <= bound; NaN (unwritten) fails. */
    void assertClose(String what, Pair p, int rows, double bound) {
        int cols = p.cpu().cols();
        float[] ref = new float[rows * cols], got = new float[rows * cols];
        cpu.copyToHost(p.cpu(), rows, ref);
        cuda.copyToHost(p.cuda(), rows, got);
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            if (Float.isNaN(got[i])) fail(what + ": element " + i + " was not written (NaN)");
            double d = got[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-30));
        assertTrue(rel <= bound, what + ": relative error " + rel + " > " + bound);
    }

    /** Runs {@code body} on an engine of {@code config} over {@code backend}, with the synthetic weights of seed 7 (blocks of 16, 8 per sequence). */
    static void withEngine(ModelConfig config, Backend backend,
                           java.util.function.Consumer<dev.aegaeon.runtime.engine.InferenceEngine> body) {
        try (var w = new dev.aegaeon.runtime.weights.SyntheticWeights(config, 7);
             var e = new dev.aegaeon.runtime.engine.InferenceEngine(config, w, backend, new dev.aegaeon.runtime.engine.EngineOptions(16, 8, null))) {
            body.accept(e);
        }
    }

    /**
     * A CUDA path against the CPU engine over a whole model: a random 40-token prompt's logits from the
     * CPU engine, then from the CUDA engine inside {@code switchedOn} (the path's option on), within 2e-2
     * of the largest CPU logit, then six greedy tokens; last, still inside the switch, {@code ran} must
     * have moved by {@code expectedRuns} over the prompt alone ({@code runsWhat} says what they are).
     */
    void assertPromptMatchesCpu(ModelConfig config, Random rnd, Consumer<Runnable> switchedOn, LongSupplier ran,
                                LongSupplier expectedRuns, String runsWhat) {
        String family = config.family().toString();
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(config.vocabSize());
        float[][] ref = new float[1][];
        withEngine(config, cpu, e -> ref[0] = e.promptLogits(prompt));
        switchedOn.accept(() -> withEngine(config, cuda, e -> {
            long before = ran.getAsLong();
            float[] got = e.promptLogits(prompt);
            long runs = ran.getAsLong() - before;
            assertLogitsClose(family, ref[0], got, 2e-2);
            assertEquals(6, e.generate(prompt, SamplingParams.greedy(6)).ids().length, family + ": greedy generation");
            assertEquals(expectedRuns.getAsLong(), runs, family + ": " + runsWhat);
        }));
    }

    /** Logits compared as the model parity does: max|got - ref| / max|ref| within {@code bound}; a NaN fails. */
    static void assertLogitsClose(String what, float[] ref, float[] got, double bound) {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxDiff = Math.max(maxDiff, Float.isNaN(got[i]) ? Double.POSITIVE_INFINITY : Math.abs(got[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        assertTrue(maxDiff / maxRef < bound, what + ": max|cuda - cpu| / max|cpu| = " + maxDiff / maxRef);
    }

    /** A boolean setting of the CUDA backend a test switches on and restores. */
    record Switch(java.util.function.BooleanSupplier get, java.util.function.Consumer<Boolean> set) {}

    /**
     * Runs {@code r} with the products on cuBLASLt (swap-AB off) and every one of {@code switches} on,
     * then restores the library, swap-AB and each switch as it found them.
     */
    void onCublasLt(Runnable r, Switch... switches) {
        var ops = cuda.device().ops();
        var libraryBefore = ops.gemmLibrary();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        boolean[] before = new boolean[switches.length];
        for (int i = 0; i < switches.length; i++) before[i] = switches[i].get().getAsBoolean();
        try {
            for (Switch s : switches) s.set().accept(true);
            ops.setGemmLibrary(dev.aegaeon.runtime.cuda.config.CudaOptions.GemmLibrary.CUBLASLT);
            ops.setSwapAbDecode(false);
            r.run();
        } finally {
            for (int i = 0; i < switches.length; i++) switches[i].set().accept(before[i]);
            ops.setGemmLibrary(libraryBefore);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }

    /** Fills the tensor's bf16 operand with NaN (allocating it), so an element an op did not write shows. */
    void poisonOperand(Tensor t) {
        CudaTensor c = (CudaTensor) t;
        cuda.device().ops().graphs().flush();
        jcuda.driver.JCudaDriver.cuMemsetD16Async(cuda.bf16Shadow(c.storage), (short) 0x7FC0, (long) c.storage.capacityRows * c.cols(),
                cuda.device().computeStream());
    }
}
