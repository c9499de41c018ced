package dev.aegaeon.runtime.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.aegaeon.runtime.cuda.DeviceTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * KV writes through block tables, paged decode attention and causal prefill attention (tensor
 * cores for head sizes 64/128, the general kernel otherwise) against an fp64 softmax attention
 * over the same bf16 keys and values. Pages are shuffled so that block tables matter; the layer
 * written is not 0 so that the page layout's layer offset matters too.
 */
class CudaAttentionConformanceTest {
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

    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 8, 7", "16, 6, 2, 5", "96, 4, 1, 32"})
    void kvWriteThenDecodeAndPrefillAttention(int hd, int heads, int kvHeads, int tpp) {
        int layers = 3, layer = 1, kvDim = kvHeads * hd, qDim = heads * hd;
        int[] lens = {37, 130, 5};
        int maxPages = 0;
        for (int len : lens) maxPages = Math.max(maxPages, (len + tpp - 1) / tpp);
        int pages = lens.length * maxPages + 3;
        List<Integer> free = new ArrayList<>();
        for (int p = 0; p < pages; p++) free.add(p);
        Collections.shuffle(free, rnd);
        int[] tables = new int[lens.length * maxPages];
        for (int i = 0; i < tables.length; i++) tables[i] = free.get(i);
        long pageElems = (long) layers * 2 * tpp * kvDim;

        // Write every token's K and V from qkv-like rows [k | v | junk].
        int total = 0;
        for (int len : lens) total += len;
        int stride = 2 * kvDim + 8;
        float[] rows = randomBf16(rnd, total * stride, 1f);
        int[] slots = new int[total];
        int r = 0;
        for (int sq = 0; sq < lens.length; sq++)
            for (int pos = 0; pos < lens[sq]; pos++, r++)
                slots[r] = tables[sq * maxPages + pos / tpp] * tpp + pos % tpp;
        CUdeviceptr pool = t.poisonedBf16(pages * pageElems);
        CUdeviceptr dRows = t.bf16(rows);
        dev.ops().kvWrite(s, dRows, dRows.withByteOffset(2L * kvDim), stride, kvDim, pool, pageElems, layer, tpp,
                t.i32(slots), total);
        float[] cache = t.readBf16(pool, (int) (pages * pageElems));
        for (int i = 0; i < total; i++) {
            int page = slots[i] / tpp, tok = slots[i] % tpp;
            for (int e = 0; e < kvDim; e++) {
                assertEquals(rows[i * stride + e], cache[(int) (page * pageElems + ((layer * 2L) * tpp + tok) * kvDim + e)]);
                assertEquals(rows[i * stride + kvDim + e],
                        cache[(int) (page * pageElems + ((layer * 2L + 1) * tpp + tok) * kvDim + e)]);
            }
        }
        float scale = (float) (1 / Math.sqrt(hd));
        CUdeviceptr dTables = t.i32(tables);

        // Decode: one query per sequence at its last position.
        int[] tokSeq = {0, 1, 2}, tokPos = {lens[0] - 1, lens[1] - 1, lens[2] - 1};
        float[] q = randomBf16(rnd, 3 * qDim, 1f);
        CUdeviceptr out = t.poisonedBf16(3L * qDim);
        dev.ops().pagedAttention(s, t.bf16(q), qDim, out, qDim, pool, pageElems, layer, tpp, heads, kvHeads, hd,
                t.i32(tokSeq), t.i32(tokPos), dTables, maxPages, 3, scale);
        float[] ref = reference(q, qDim, tokSeq, tokPos, rows, stride, lens, heads, kvHeads, hd, scale);
        assertClose("decode attention hd" + hd, ref, t.readBf16(out, 3 * qDim), 1e-2);

        // Prefill of sequence 1: all of it, then a chunk starting at p0 (keys before p0 cached).
        for (int p0 : new int[] {0, 61}) {
            int n = lens[1] - p0;
            float[] pq = randomBf16(rnd, n * qDim, 1f);
            int[] seqOf = new int[n], posOf = new int[n];
            for (int i = 0; i < n; i++) { seqOf[i] = 1; posOf[i] = p0 + i; }
            CUdeviceptr pout = t.poisonedBf16((long) n * qDim);
            if (CudaOps.hasTensorCorePrefill(hd)) {
                dev.ops().prefillAttention(s, t.bf16(pq), qDim, pout, qDim, pool, pageElems, layer, tpp, heads,
                        kvHeads, hd, dTables.withByteOffset(4L * maxPages), n, p0, scale);
            } else {
                dev.ops().pagedAttention(s, t.bf16(pq), qDim, pout, qDim, pool, pageElems, layer, tpp, heads, kvHeads,
                        hd, t.i32(seqOf), t.i32(posOf), dTables, maxPages, n, scale);
            }
            float[] pref = reference(pq, qDim, seqOf, posOf, rows, stride, lens, heads, kvHeads, hd, scale);
            assertClose("prefill attention hd" + hd + " p0=" + p0, pref, t.readBf16(pout, n * qDim), 1e-2);
        }
    }

    /** fp64 causal softmax attention over the rows the cache was written from. */
    static float[] reference(float[] q, int qDim, int[] tokSeq, int[] tokPos, float[] rows, int stride, int[] lens,
                             int heads, int kvHeads, int hd, float scale) {
        int kvDim = kvHeads * hd, group = heads / kvHeads;
        int[] start = new int[lens.length];
        for (int i = 1; i < lens.length; i++) start[i] = start[i - 1] + lens[i - 1];
        float[] out = new float[tokSeq.length * qDim];
        for (int tk = 0; tk < tokSeq.length; tk++)
            for (int h = 0; h < heads; h++) {
                int kvh = h / group, n = tokPos[tk] + 1;
                double[] sc = new double[n];
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    int row = start[tokSeq[tk]] + j;
                    double d = 0;
                    for (int e = 0; e < hd; e++) d += (double) q[tk * qDim + h * hd + e] * rows[row * stride + kvh * hd + e];
                    sc[j] = d * scale;
                    mx = Math.max(mx, sc[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) { sc[j] = Math.exp(sc[j] - mx); sum += sc[j]; }
                for (int e = 0; e < hd; e++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += sc[j] * rows[(start[tokSeq[tk]] + j) * stride + kvDim + kvh * hd + e];
                    out[tk * qDim + h * hd + e] = (float) (acc / sum);
                }
            }
        assertFalse(Float.isNaN(out[0]));
        return out;
    }
}
