package dev.aegaeon.runtime.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Op-level checks of the reference backend, on odd sizes that exercise every vector tail. */
class CpuBackendOpsTest {
    private final CpuBackend backend = new CpuBackend(2);
    private final Random random = new Random(11);

    private float[] randoms(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private Tensor tensor(float[] values, int rows, int cols) {
        Tensor t = backend.allocate(rows, cols);
        backend.copyFromHost(values, t);
        return t;
    }

    private Weight weight(float[] values, int rows, int cols, DType dtype) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * dtype.byteSize());
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case BF16 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, DType.floatToBf16(values[i]));
                case F16 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, Float.floatToFloat16(values[i]));
                case F32 -> seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
            }
        }
        return backend.loadWeight(new WeightTensor("w", dtype, new long[] {rows, cols}, seg));
    }

    private float[] host(Tensor t) {
        float[] out = new float[t.rows() * t.cols()];
        backend.copyToHost(t, t.rows(), out);
        return out;
    }

    @Test
    void linearMatchesScalarProductsForEveryDtypeAndBatchSize() {
        int in = 77, out = 19; // not multiples of any vector width
        float[] w = randoms(in * out), b = randoms(out);
        for (DType dtype : DType.values()) {
            Weight weight = weight(w, out, in, dtype);
            Weight bias = weight(b, 1, out, DType.F32);
            for (int n : new int[] {1, 3, 4, 9}) {
                float[] x = randoms(n * in);
                Tensor y = backend.allocate(n, out);
                backend.linear(tensor(x, n, in), weight, bias, y);
                float[] actual = host(y);
                for (int t = 0; t < n; t++) {
                    for (int j = 0; j < out; j++) {
                        double s = b[j];
                        for (int k = 0; k < in; k++) s += stored(w[j * in + k], dtype) * x[t * in + k];
                        assertEquals(s, actual[t * out + j], 1e-4 * (1 + Math.abs(s)), dtype + " n=" + n);
                    }
                }
            }
        }
    }

    private static double stored(float v, DType dtype) {
        return switch (dtype) {
            case BF16 -> DType.bf16ToFloat(DType.floatToBf16(v));
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case F32 -> v;
        };
    }

    /** The last token's prefill attention equals decode attention over the same keys read through a block table. */
    @Test
    void pagedDecodeAttentionAgreesWithPrefillAttention() {
        int tokens = 11, heads = 6, kvHeads = 2, headDim = 20, blockSize = 4;
        float[] q = randoms(tokens * heads * headDim), k = randoms(tokens * kvHeads * headDim), v = randoms(tokens * kvHeads * headDim);
        // blocks deliberately out of order: 5, 1, 3
        int[] table = {5, 1, 3};
        int[] slots = new int[tokens], positions = new int[tokens], ids = new int[tokens];
        for (int p = 0; p < tokens; p++) {
            slots[p] = table[p / blockSize] * blockSize + p % blockSize;
            positions[p] = p;
        }
        StepInputs prefill = backend.beginStep(new StepLayout(ids, positions, slots, new int[] {0, tokens}, new int[] {tokens},
                table, 3, new int[] {tokens - 1}));
        KvCache cache = backend.allocateKvCache(new KvCacheShape(1, kvHeads, headDim, blockSize, 8));
        Tensor kt = tensor(k, tokens, kvHeads * headDim), vt = tensor(v, tokens, kvHeads * headDim);
        backend.writeKv(kt, vt, cache, 0, prefill);
        Tensor full = backend.allocate(tokens, heads * headDim);
        backend.prefillAttention(tensor(q, tokens, heads * headDim), kt, vt, heads, kvHeads, prefill, full);

        float[] lastQ = java.util.Arrays.copyOfRange(q, (tokens - 1) * heads * headDim, q.length);
        StepInputs decode = backend.beginStep(new StepLayout(new int[1], new int[] {tokens - 1}, new int[] {slots[tokens - 1]},
                new int[] {0, 1}, new int[] {tokens}, table, 3, new int[] {0}));
        Tensor one = backend.allocate(1, heads * headDim);
        backend.decodeAttention(tensor(lastQ, 1, heads * headDim), cache, 0, heads, kvHeads, decode, one);

        float[] expected = java.util.Arrays.copyOfRange(host(full), (tokens - 1) * heads * headDim, tokens * heads * headDim);
        assertArrayEquals(expected, host(one), 1e-5f);
    }

    @Test
    void misuseIsRejectedBeforeTouchingBuffers() {
        Weight w = weight(randoms(12), 3, 4, DType.F32);
        assertThrows(IllegalArgumentException.class, () -> backend.linear(backend.allocate(2, 5), w, null, backend.allocate(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> backend.copyFromHost(new float[7], backend.allocate(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> backend.allocate(2, 4).rowsView(3));
    }
}
