package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kv.CudaKvCache;
import dev.aegaeon.runtime.cuda.kv.PinnedKvCopies;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.Rope;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.engine.RotaryFrequencies;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.RopeScaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every {@link dev.aegaeon.runtime.backend.Backend} op of the CUDA backend against the CPU
 * backend's op (its CPU twin), on fresh random inputs, CUDA outputs poisoned with NaN first.
 * Bounds on ||cuda - cpu|| / ||cpu||: 1e-5 where both compute in fp32; 1e-2 where the GPU rounds
 * to bf16 (matrix-product operands, attention probabilities, the KV cache). Skips without a GPU.
 */
@RequiresCuda
class BackendConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    @Test
    void embed() {
        int vocab = 1000, hidden = 384, n = 7;
        var table = b.weight("embed", random(rnd, vocab * hidden, 1), vocab, hidden);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(vocab);
        var out = b.empty(n, hidden);
        var s = b.step(new StepLayout(ids, new int[n], new int[n], new int[] {0, n}, new int[] {n}, new int[0], 0, new int[0]));
        b.cpu.embed(table.cpu(), s.cpu(), out.cpu());
        b.cuda.embed(table.cuda(), s.cuda(), out.cuda());
        b.assertClose("embed", out, n, 0);
    }

    @ParameterizedTest
    @CsvSource({"5, 3584", "3, 64", "2, 1000"})
    void rmsNormAndAddRmsNorm(int n, int hidden) {
        var x = b.tensor(random(rnd, n * hidden, 1), n, hidden);
        var res = b.tensor(random(rnd, n * hidden, 3), n, hidden);
        var gamma = b.weight("g", random(rnd, hidden, 1), hidden);
        var out = b.empty(n, hidden);
        b.cpu.rmsNorm(x.cpu(), gamma.cpu(), 1e-6f, out.cpu());
        b.cuda.rmsNorm(x.cuda(), gamma.cuda(), 1e-6f, out.cuda());
        b.assertClose("rmsNorm", out, n, 1e-5);
        b.cpu.addRmsNorm(x.cpu(), res.cpu(), gamma.cpu(), 1e-6f, x.cpu()); // out aliasing x, as the engine does
        b.cuda.addRmsNorm(x.cuda(), res.cuda(), gamma.cuda(), 1e-6f, x.cuda());
        b.assertClose("addRmsNorm residual", res, n, 1e-6);
        b.assertClose("addRmsNorm out", x, n, 1e-5);
    }

    /** Embedding, RMSNorm and per-head RMSNorm read F32 tables and gammas without rounding them. */
    @Test
    void embedAndNormsWithF32Weights() {
        int vocab = 500, hidden = 256, n = 6, heads = 4;
        var table = b.weightF32("embed", TwinBackends.randomF32(rnd, vocab * hidden, 1), vocab, hidden);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(vocab);
        var x = b.empty(n, hidden);
        var s = b.step(new StepLayout(ids, new int[n], new int[n], new int[] {0, n}, new int[] {n}, new int[0], 0, new int[0]));
        b.cpu.embed(table.cpu(), s.cpu(), x.cpu());
        b.cuda.embed(table.cuda(), s.cuda(), x.cuda());
        b.assertClose("f32 embed", x, n, 0);
        var gamma = b.weightF32("g", TwinBackends.randomF32(rnd, hidden, 1), hidden);
        var out = b.empty(n, hidden);
        b.cpu.rmsNorm(x.cpu(), gamma.cpu(), 1e-6f, out.cpu());
        b.cuda.rmsNorm(x.cuda(), gamma.cuda(), 1e-6f, out.cuda());
        b.assertClose("f32 rmsNorm", out, n, 1e-6);
        var headGamma = b.weightF32("hg", TwinBackends.randomF32(rnd, hidden / heads, 1), hidden / heads);
        b.cpu.headRmsNorm(out.cpu(), heads, headGamma.cpu(), 1e-6f);
        b.cuda.headRmsNorm(out.cuda(), heads, headGamma.cuda(), 1e-6f);
        b.assertClose("f32 headRmsNorm", out, n, 1e-6);
    }

    @Test
    void headRmsNormAndSiluMul() {
        int n = 6, heads = 5, hd = 128;
        var x = b.tensor(random(rnd, n * heads * hd, 2), n, heads * hd);
        var gamma = b.weight("qn", random(rnd, hd, 1), hd);
        b.cpu.headRmsNorm(x.cpu(), heads, gamma.cpu(), 1e-6f);
        b.cuda.headRmsNorm(x.cuda(), heads, gamma.cuda(), 1e-6f);
        b.assertClose("headRmsNorm", x, n, 1e-5);
        var up = b.tensor(random(rnd, n * heads * hd, 2), n, heads * hd);
        b.cpu.siluMul(x.cpu(), up.cpu(), x.cpu());
        b.cuda.siluMul(x.cuda(), up.cuda(), x.cuda());
        b.assertClose("siluMul", x, n, 1e-5);
    }

    /** Norms writing the product's bf16 operand in the same pass (aegaeon.cuda.fusedBf16Operands), off and on; 5 rows stay unfused (GEMV). */
    @ParameterizedTest
    @CsvSource({"300, 3584, false", "129, 1000, true", "9, 99, false", "5, 64, false"})
    void fusedBf16OperandNorms(int rows, int hidden, boolean f32Gamma) {
        new FusedBf16OperandChecks(b, rnd).normsThenProduct(rows, hidden, f32Gamma);
    }

    /** silu_mul writing the down projection's bf16 operand in the same pass, off and on; n % 4 != 0 takes the scalar tail. */
    @ParameterizedTest
    @CsvSource({"300, 18944", "129, 99", "33, 1001", "9, 3", "4, 1000"})
    void fusedBf16OperandSiluMul(int rows, int cols) {
        new FusedBf16OperandChecks(b, rnd).siluMulThenProduct(rows, cols);
    }

    @ParameterizedTest
    @CsvSource({"128, false", "64, true", "16, false"})
    void rope(int hd, boolean llama31) {
        RopeScaling scaling = llama31 ? new RopeScaling.Llama3(8, 1, 4, 8192) : RopeScaling.NONE;
        var cfg = new ModelConfig(ModelFamily.LLAMA, "LlamaForCausalLM", 100, hd * 4, 64, 1, 4, 2, hd,
                1e-5, 500000, scaling, 131072, false, List.of(), null);
        float[] inv = RotaryFrequencies.inverse(cfg);
        Rope rc = b.cpu.createRope(inv), rg = b.cuda.createRope(inv);
        int n = 9;
        var q = b.tensor(random(rnd, n * 4 * hd, 1), n, 4 * hd);
        var k = b.tensor(random(rnd, n * 2 * hd, 1), n, 2 * hd);
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) pos[i] = rnd.nextInt(8000);
        var s = b.step(new StepLayout(new int[n], pos, new int[n], new int[] {0, n}, new int[] {n}, new int[0], 0, new int[0]));
        b.cpu.rope(q.cpu(), k.cpu(), 4, 2, rc, s.cpu());
        b.cuda.rope(q.cuda(), k.cuda(), 4, 2, rg, s.cuda());
        b.assertClose("rope q", q, n, 1e-5);
        b.assertClose("rope k", k, n, 1e-5);
    }

    /**
     * Prefill of several prompts (KV written through shuffled block tables), then one decode step
     * per sequence: prefill attention (tensor cores for head sizes 64/128, the general kernel
     * otherwise) and paged decode attention with GQA.
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 8, 7", "16, 6, 2, 5", "96, 4, 1, 32"})
    void kvWritesPrefillAndDecodeAttention(int hd, int heads, int kvHeads, int blockSize) {
        withSplitKv(false, () -> attentionCase(hd, heads, kvHeads, blockSize, new int[] {37, 130, 5}));
    }

    /**
     * Decode attention split over keys (decode_attention.cu) with its combine pass: group 1..7,
     * head sizes 16..256, contexts from 2 to 778 keys in one batch, and chunk sizes forced to one
     * tile (16 keys), several tiles (64: the online softmax across tiles) and one chunk for the
     * whole context (4096), besides the size policy's own choice (0).
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16, 0", "128, 28, 4, 16, 16", "128, 28, 4, 16, 64", "128, 28, 4, 16, 4096",
        "64, 8, 8, 7, 0", "64, 8, 8, 7, 48", "16, 6, 2, 5, 0", "96, 4, 1, 32, 32", "256, 8, 2, 16, 0",
        "256, 8, 2, 16, 64", "128, 14, 2, 16, 0", "128, 16, 2, 16, 16"})
    void splitKvDecodeAttention(int hd, int heads, int kvHeads, int blockSize, int chunkKeys) {
        CudaOps ops = b.cuda.device().ops();
        boolean mmaBefore = ops.decodeKernels().splitKvMmaEnabled();
        try {
            ops.decodeKernels().forceChunkKeys(chunkKeys);
            ops.setSplitKvMma(false);  // the shuffle kernels; the tensor-core pass has its own case below
            withSplitKv(true, () -> {
                assertFalse(ops.decodeKernels().takesSplitMma(heads / kvHeads, hd));
                attentionCase(hd, heads, kvHeads, blockSize, new int[] {1, 300, 777, 16, 17});
            });
        } finally {
            ops.setSplitKvMma(mmaBefore);
            ops.decodeKernels().forceChunkKeys(0);
        }
    }

    /**
     * The same split attention with its first pass on tensor cores (decode_attention_mma.cu) where
     * the head size is 64 or 128 (the other shapes check that they still fall back): the 12 cases
     * above plus group 8 and 6 at head size 64 and group 2 with 5-token pages at 128. Contexts
     * 2..778 keys in one batch cover empty chunks, a last sub-tile of 1 key and warps without keys.
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16, 0", "128, 28, 4, 16, 16", "128, 28, 4, 16, 64", "128, 28, 4, 16, 4096",
        "64, 8, 8, 7, 0", "64, 8, 8, 7, 48", "16, 6, 2, 5, 0", "96, 4, 1, 32, 32", "256, 8, 2, 16, 0",
        "256, 8, 2, 16, 64", "128, 14, 2, 16, 0", "128, 16, 2, 16, 16",
        "64, 16, 2, 16, 32", "64, 12, 2, 7, 0", "128, 6, 3, 5, 80"})
    void splitKvMmaDecodeAttention(int hd, int heads, int kvHeads, int blockSize, int chunkKeys) {
        CudaOps ops = b.cuda.device().ops();
        boolean before = ops.decodeKernels().splitKvMmaEnabled();
        try {
            ops.decodeKernels().forceChunkKeys(chunkKeys);
            ops.setSplitKvMma(true);
            withSplitKv(true, () -> {
                assertEquals(hd == 64 || hd == 128, ops.decodeKernels().takesSplitMma(heads / kvHeads, hd));
                attentionCase(hd, heads, kvHeads, blockSize, new int[] {1, 300, 777, 16, 17});
            });
        } finally {
            ops.setSplitKvMma(before);
            ops.decodeKernels().forceChunkKeys(0);
        }
    }

    /**
     * Prefill attention on prefill_attention_mma.cu (aegaeon.cuda.prefillAttentionMma): head sizes
     * 64 and 128, groups 1, 2, 4, 7 and 8, pages of 16, 7, 5 and 32 tokens (dividing the 64-key tile
     * or not), prompts of 1 to 300 tokens in one step (partial query blocks and key tiles, one row,
     * exactly one block), then prefills continuing a cached prefix (p0 > 0, on and off a tile edge).
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "128, 8, 8, 7", "128, 8, 4, 5", "128, 16, 4, 32",
        "64, 8, 8, 7", "64, 16, 2, 32", "64, 8, 2, 5", "64, 12, 6, 16"})
    void prefillAttentionMma(int hd, int heads, int kvHeads, int blockSize) {
        CudaOps ops = b.cuda.device().ops();
        boolean before = ops.attention().prefillKernels().mmaEnabled();
        try {
            ops.attention().setPrefillAttentionMma(true);
            org.junit.jupiter.api.Assumptions.assumeTrue(ops.attention().prefillKernels().takesMma(hd),
                    "prefill_attention_mma.cu was not loaded");
            withSplitKv(false, () -> attentionCase(hd, heads, kvHeads, blockSize, new int[] {1, 5, 63, 64, 65, 130, 300}));
            for (int[] c : new int[][] {{37, 93}, {64, 65}, {300, 1}, {5, 64}}) prefixPrefillCase(hd, heads, kvHeads, blockSize, c[0], c[1]);
        } finally {
            ops.attention().setPrefillAttentionMma(before);
        }
    }

    /**
     * CUDA prefill of {@code n} tokens at positions p0.. after a cached prefix of p0 tokens (the
     * kernel's p0 argument; the CPU op has no prefix), against the CPU's decode attention of each
     * row as a one-token sequence over the same block table.
     */
    private void prefixPrefillCase(int hd, int heads, int kvHeads, int blockSize, int p0, int n) {
        int len = p0 + n, maxBlocks = (len + blockSize - 1) / blockSize, blocks = maxBlocks + 3, layer = 1;
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < blocks; i++) free.add(i);
        Collections.shuffle(free, rnd);
        int[] table = new int[maxBlocks], pos = new int[len], slots = new int[len];
        for (int i = 0; i < maxBlocks; i++) table[i] = free.get(i);
        for (int p = 0; p < len; p++) {
            pos[p] = p;
            slots[p] = table[p / blockSize] * blockSize + p % blockSize;
        }
        var shape = new KvCacheShape(2, kvHeads, hd, blockSize, blocks);
        KvCache cc = b.cpu.allocateKvCache(shape), cg = b.cuda.allocateKvCache(shape);
        int kvDim = kvHeads * hd;
        var pk = b.tensor(random(rnd, p0 * kvDim, 1), p0, kvDim);
        var pv = b.tensor(random(rnd, p0 * kvDim, 1), p0, kvDim);
        var q = b.tensor(random(rnd, n * heads * hd, 1), n, heads * hd);
        var k = b.tensor(random(rnd, n * kvDim, 1), n, kvDim);
        var v = b.tensor(random(rnd, n * kvDim, 1), n, kvDim);
        var out = b.empty(n, heads * hd);
        int[] rest = java.util.Arrays.copyOfRange(pos, p0, len), restSlots = java.util.Arrays.copyOfRange(slots, p0, len);
        var prefix = b.step(new StepLayout(new int[p0], java.util.Arrays.copyOf(pos, p0), java.util.Arrays.copyOf(slots, p0),
                new int[] {0, p0}, new int[] {p0}, table, maxBlocks, new int[0]));
        b.cpu.writeKv(pk.cpu(), pv.cpu(), cc, layer, prefix.cpu());
        b.cuda.writeKv(pk.cuda(), pv.cuda(), cg, layer, prefix.cuda());
        var step = b.step(new StepLayout(new int[n], rest, restSlots, new int[] {0, n}, new int[] {len}, table, maxBlocks, new int[0]));
        b.cpu.writeKv(k.cpu(), v.cpu(), cc, layer, step.cpu());
        b.cuda.writeKv(k.cuda(), v.cuda(), cg, layer, step.cuda());
        b.cuda.prefillAttention(q.cuda(), k.cuda(), v.cuda(), heads, kvHeads, step.cuda(), out.cuda());
        int[] qs = new int[n + 1], ctx = new int[n], tables = new int[n * maxBlocks];
        for (int i = 0; i < n; i++) {
            qs[i + 1] = i + 1;
            ctx[i] = p0 + i + 1;
            System.arraycopy(table, 0, tables, i * maxBlocks, maxBlocks);
        }
        var rows = b.cpu.beginStep(new StepLayout(new int[n], rest, restSlots, qs, ctx, tables, maxBlocks, new int[0]));
        b.cpu.decodeAttention(q.cpu(), cc, layer, heads, kvHeads, rows, out.cpu());
        b.assertClose("prefill attention hd" + hd + " after a prefix of " + p0, out, n, 1e-2);
        b.cpu.release(cc);
        b.cuda.release(cg);
    }

    private static void withSplitKv(boolean on, Runnable r) {
        CudaOps ops = b.cuda.device().ops();
        boolean before = ops.decodeKernels().splitKvEnabled();
        try {
            ops.setSplitKvDecode(on);
            r.run();
        } finally {
            ops.setSplitKvDecode(before);
        }
    }

    private void attentionCase(int hd, int heads, int kvHeads, int blockSize, int[] lens) {
        int maxBlocks = 0, total = 0;
        for (int len : lens) { maxBlocks = Math.max(maxBlocks, (len + 1 + blockSize - 1) / blockSize); total += len; }
        int blocks = lens.length * maxBlocks + 3, layers = 3, layer = 1;
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < blocks; i++) free.add(i);
        Collections.shuffle(free, rnd);
        int[] tables = new int[lens.length * maxBlocks];
        for (int i = 0; i < tables.length; i++) tables[i] = free.get(i);
        var shape = new KvCacheShape(layers, kvHeads, hd, blockSize, blocks);
        KvCache cc = b.cpu.allocateKvCache(shape), cg = b.cuda.allocateKvCache(shape);

        int[] qs = new int[lens.length + 1], slots = new int[total], pos = new int[total];
        for (int s = 0, t = 0; s < lens.length; s++) {
            qs[s + 1] = qs[s] + lens[s];
            for (int p = 0; p < lens[s]; p++, t++) {
                pos[t] = p;
                slots[t] = tables[s * maxBlocks + p / blockSize] * blockSize + p % blockSize;
            }
        }
        // Inputs first: uploading them begins steps of their own, and a step's inputs live until the next.
        var q = b.tensor(random(rnd, total * heads * hd, 1), total, heads * hd);
        var k = b.tensor(random(rnd, total * kvHeads * hd, 1), total, kvHeads * hd);
        var v = b.tensor(random(rnd, total * kvHeads * hd, 1), total, kvHeads * hd);
        var out = b.empty(total, heads * hd);
        var prefill = b.step(new StepLayout(new int[total], pos, slots, qs, lens.clone(), tables, maxBlocks, new int[0]));
        b.cpu.writeKv(k.cpu(), v.cpu(), cc, layer, prefill.cpu());
        b.cuda.writeKv(k.cuda(), v.cuda(), cg, layer, prefill.cuda());
        b.cpu.prefillAttention(q.cpu(), k.cpu(), v.cpu(), heads, kvHeads, prefill.cpu(), out.cpu());
        b.cuda.prefillAttention(q.cuda(), k.cuda(), v.cuda(), heads, kvHeads, prefill.cuda(), out.cuda());
        b.assertClose("prefill attention hd" + hd, out, total, 1e-2);

        int seqs = lens.length;
        int[] dSlots = new int[seqs], dPos = new int[seqs], dQs = new int[seqs + 1], ctx = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            dPos[s] = lens[s];
            dSlots[s] = tables[s * maxBlocks + lens[s] / blockSize] * blockSize + lens[s] % blockSize;
            dQs[s + 1] = s + 1;
            ctx[s] = lens[s] + 1;
        }
        var dq = b.tensor(random(rnd, seqs * heads * hd, 1), seqs, heads * hd);
        var dk = b.tensor(random(rnd, seqs * kvHeads * hd, 1), seqs, kvHeads * hd);
        var dv = b.tensor(random(rnd, seqs * kvHeads * hd, 1), seqs, kvHeads * hd);
        var dout = b.empty(seqs, heads * hd);
        var decode = b.step(new StepLayout(new int[seqs], dPos, dSlots, dQs, ctx, tables, maxBlocks, new int[0]));
        b.cpu.writeKv(dk.cpu(), dv.cpu(), cc, layer, decode.cpu());
        b.cuda.writeKv(dk.cuda(), dv.cuda(), cg, layer, decode.cuda());
        b.cpu.decodeAttention(dq.cpu(), cc, layer, heads, kvHeads, decode.cpu(), dout.cpu());
        b.cuda.decodeAttention(dq.cuda(), cg, layer, heads, kvHeads, decode.cuda(), dout.cuda());
        b.assertClose("decode attention hd" + hd, dout, seqs, 1e-2);
        b.cpu.release(cc);
        b.cuda.release(cg);
    }

    /** The same checks with decode attention on the GQA-aware kernel wherever the shape allows it. */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 8, 7", "16, 6, 2, 5", "96, 4, 1, 32", "256, 8, 2, 16", "128, 14, 2, 16"})
    void gqaDecodeAttention(int hd, int heads, int kvHeads, int blockSize) {
        CudaOps ops = b.cuda.device().ops();
        dev.aegaeon.runtime.cuda.config.CudaOptions.GqaDecode before = ops.attention().gqaDecode();
        try {
            ops.attention().setGqaDecode(dev.aegaeon.runtime.cuda.config.CudaOptions.GqaDecode.ALWAYS);
            kvWritesPrefillAndDecodeAttention(hd, heads, kvHeads, blockSize);  // split over keys off
        } finally {
            ops.attention().setGqaDecode(before);
        }
    }

    /**
     * KV swap: every slot of every layer written through writeKv on both backends, then the same
     * shuffled blocks read to the host must be identical floats (bf16 inputs, so no rounding
     * differs). The CPU's host copy written into other, fresh blocks of new caches must read back
     * unchanged and give the same decode attention on both backends.
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 8, 7", "16, 6, 2, 5"})
    void kvBlocksSwapOutAndInMatchTheCpuBackend(int hd, int heads, int kvHeads, int blockSize) {
        int layers = 3, blocks = 9, slots = blocks * blockSize, kvDim = kvHeads * hd;
        var shape = new KvCacheShape(layers, kvHeads, hd, blockSize, blocks);
        KvCache cc = b.cpu.allocateKvCache(shape), cg = b.cuda.allocateKvCache(shape);
        List<TwinBackends.Pair> ks = new ArrayList<>(), vs = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ks.add(b.tensor(random(rnd, slots * kvDim, 1), slots, kvDim));
            vs.add(b.tensor(random(rnd, slots * kvDim, 1), slots, kvDim));
        }
        int[] all = new int[slots];
        for (int i = 0; i < slots; i++) all[i] = i;
        var write = b.step(new StepLayout(new int[slots], new int[slots], all, new int[] {0, slots}, new int[] {slots},
                new int[0], 0, new int[0]));
        for (int l = 0; l < layers; l++) {
            b.cpu.writeKv(ks.get(l).cpu(), vs.get(l).cpu(), cc, l, write.cpu());
            b.cuda.writeKv(ks.get(l).cuda(), vs.get(l).cuda(), cg, l, write.cuda());
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < blocks; i++) ids.add(i);
        Collections.shuffle(ids, rnd);
        int n = 4;
        int[] out = ids.subList(0, n).stream().mapToInt(Integer::intValue).toArray();
        float[] hostCpu = b.cpu.readKvBlocks(cc, out);
        float[] hostCuda = b.cuda.readKvBlocks(cg, out);
        assertArrayEquals(hostCpu, hostCuda, "host copies of blocks " + java.util.Arrays.toString(out));

        KvCache cc2 = b.cpu.allocateKvCache(shape), cg2 = b.cuda.allocateKvCache(shape);
        Collections.shuffle(ids, rnd);
        int[] in = ids.subList(0, n).stream().mapToInt(Integer::intValue).toArray();
        b.cpu.writeKvBlocks(cc2, in, hostCpu);
        b.cuda.writeKvBlocks(cg2, in, hostCpu);
        assertArrayEquals(hostCpu, b.cuda.readKvBlocks(cg2, in), "swap-in then swap-out is the identity");

        int ctx = n * blockSize - 2;
        var dq = b.tensor(random(rnd, heads * hd, 1), 1, heads * hd);
        var dout = b.empty(1, heads * hd);
        int last = in[(ctx - 1) / blockSize] * blockSize + (ctx - 1) % blockSize;
        var decode = b.step(new StepLayout(new int[1], new int[] {ctx - 1}, new int[] {last}, new int[] {0, 1},
                new int[] {ctx}, in, n, new int[0]));
        for (int layer = 0; layer < layers; layer++) {
            b.cpu.decodeAttention(dq.cpu(), cc2, layer, heads, kvHeads, decode.cpu(), dout.cpu());
            b.cuda.decodeAttention(dq.cuda(), cg2, layer, heads, kvHeads, decode.cuda(), dout.cuda());
            b.assertClose("decode attention over swapped-in blocks, layer " + layer, dout, 1, 1e-2);
        }
        assertThrows(IllegalArgumentException.class, () -> b.cuda.writeKvBlocks(cg2, in, new float[hostCpu.length - 1]));
        assertThrows(IllegalArgumentException.class, () -> b.cuda.readKvBlocks(cg2, new int[] {blocks}));
        for (KvCache c : List.of(cc, cc2)) b.cpu.release(c);
        for (KvCache c : List.of(cg, cg2)) b.cuda.release(c);
    }

    /**
     * The pinned staging path against the pageable block-by-block one: reads right after the
     * queued writeKv kernels (so the copies must wait for compute) give identical floats, also
     * through a staging buffer of three blocks (several chunks, runs cut at chunk edges); writes
     * into fresh caches through either path hold identical bits. (Compute reading blocks right
     * after a pinned write: kvBlocksSwapOutAndInMatchTheCpuBackend, which runs the default path.)
     */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 8, 7", "16, 6, 2, 5"})
    void pinnedKvCopiesEqualThePageablePath(int hd, int heads, int kvHeads, int blockSize) {
        int layers = 3, blocks = 24, slots = blocks * blockSize, kvDim = kvHeads * hd;
        var shape = new KvCacheShape(layers, kvHeads, hd, blockSize, blocks);
        KvCache cg = b.cuda.allocateKvCache(shape);
        int[] all = new int[slots];
        for (int i = 0; i < slots; i++) all[i] = i;
        var write = b.cuda.beginStep(new StepLayout(new int[slots], new int[slots], all, new int[] {0, slots},
                new int[] {slots}, new int[0], 0, new int[0]));
        for (int l = 0; l < layers; l++) {
            var k = b.tensor(random(rnd, slots * kvDim, 1), slots, kvDim);
            var v = b.tensor(random(rnd, slots * kvDim, 1), slots, kvDim);
            b.cuda.writeKv(k.cuda(), v.cuda(), cg, l, write);
        }
        int[] out = {5, 6, 7, 0, 12, 11, 13, 14, 2, 3, 23};
        int[] in = {8, 9, 10, 11, 1, 20, 19, 4, 5, 6, 15};
        var small = new PinnedKvCopies(b.cuda.device(), b.cuda.device().computeStream(), 3 * ((CudaKvCache) cg).blockBytes());
        KvCache viaPinned = b.cuda.allocateKvCache(shape), viaPageable = b.cuda.allocateKvCache(shape),
                viaChunks = b.cuda.allocateKvCache(shape);
        try {
            b.cuda.usePinnedKvCopies(true);
            float[] pinned = b.cuda.readKvBlocks(cg, out);
            b.cuda.usePinnedKvCopies(false);
            float[] pageable = b.cuda.readKvBlocks(cg, out);
            assertArrayEquals(pageable, pinned, "pinned read of blocks " + java.util.Arrays.toString(out));
            assertArrayEquals(pageable, small.read((CudaKvCache) cg, out), "pinned read in chunks of three blocks");

            b.cuda.usePinnedKvCopies(true);
            b.cuda.writeKvBlocks(viaPinned, in, pageable);
            assertArrayEquals(pageable, b.cuda.readKvBlocks(viaPinned, in), "pinned write then pinned read");
            small.write((CudaKvCache) viaChunks, in, pageable);
            b.cuda.usePinnedKvCopies(false);
            b.cuda.writeKvBlocks(viaPageable, in, pageable);
            float[] reference = b.cuda.readKvBlocks(viaPageable, in);
            assertArrayEquals(pageable, reference, "pageable round trip");
            assertArrayEquals(reference, b.cuda.readKvBlocks(viaPinned, in), "pinned write, pageable read");
            assertArrayEquals(reference, b.cuda.readKvBlocks(viaChunks, in), "chunked pinned write, pageable read");
            b.cuda.usePinnedKvCopies(true);
            assertEquals(0, b.cuda.readKvBlocks(cg, new int[0]).length);
            b.cuda.writeKvBlocks(viaPinned, new int[0], new float[0]);
            assertThrows(IllegalArgumentException.class, () -> b.cuda.writeKvBlocks(viaPinned, in, new float[pageable.length - 1]));
            assertThrows(IllegalArgumentException.class, () -> b.cuda.readKvBlocks(viaPinned, new int[] {blocks}));
        } finally {
            b.cuda.usePinnedKvCopies(true);
            small.close();
            for (KvCache c : List.of(cg, viaPinned, viaPageable, viaChunks)) b.cuda.release(c);
        }
    }

    /**
     * The engine on CUDA: a sequence swapped out mid-generation, its blocks reused by another
     * prompt, then swapped back into other blocks, continues with exactly the greedy ids of an
     * uninterrupted run, through the pinned staging path and through the pageable one.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void engineSwapOutAndInContinuesGreedyGenerationUnchanged(boolean pinnedKvCopies) {
        b.cuda.usePinnedKvCopies(pinnedKvCopies);
        try {
            engineSwapOutAndIn();
        } finally {
            b.cuda.usePinnedKvCopies(true);
        }
    }

    private void engineSwapOutAndIn() {
        ModelConfig config = dev.aegaeon.runtime.model.ModelShapes.tiny(ModelFamily.LLAMA);
        int[] prompt = new int[21], other = new int[40];
        for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(config.vocabSize());
        for (int i = 0; i < other.length; i++) other[i] = rnd.nextInt(config.vocabSize());
        var greedy = new dev.aegaeon.runtime.engine.SamplingParams(0f, 0, 1f, null, 16, List.of(), List.of());
        try (var w = new dev.aegaeon.runtime.weights.SyntheticWeights(config, 11);
             var e = new dev.aegaeon.runtime.engine.InferenceEngine(config, w, b.cuda,
                     new dev.aegaeon.runtime.engine.EngineOptions(8, 12, null))) {
            int[] expected = e.generate(prompt, greedy).ids();
            var s = e.newSequence(prompt, greedy);
            e.prefill(dev.aegaeon.runtime.engine.Batch.of(s));
            for (int i = 0; i < 5; i++) e.decode(dev.aegaeon.runtime.engine.Batch.of(s));
            int[] before = s.blockTable();
            var swapped = e.swapOut(s);
            var intruder = e.newSequence(other, greedy);
            e.prefill(dev.aegaeon.runtime.engine.Batch.of(intruder)); // overwrites the freed blocks
            assertEquals(true, e.swapIn(s, swapped).granted());
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(before, s.blockTable()),
                    "the sequence returns into other blocks");
            while (!s.isFinished()) e.decode(dev.aegaeon.runtime.engine.Batch.of(s));
            assertArrayEquals(expected, s.generatedIds());
        }
    }

    @Test
    void gatherRows() {
        int n = 11, cols = 300;
        var x = b.tensor(random(rnd, n * cols, 1), n, cols);
        int[] rows = {10, 0, 4, 4};
        var out = b.empty(rows.length, cols);
        var s = b.step(new StepLayout(new int[n], new int[n], new int[n], new int[] {0, n}, new int[] {n}, new int[0], 0, rows));
        b.cpu.gatherRows(x.cpu(), s.cpu(), out.cpu());
        b.cuda.gatherRows(x.cuda(), s.cuda(), out.cuda());
        b.assertClose("gatherRows", out, rows.length, 0);
    }

    /** Greedy, temperature, top-k, top-p and both, with the same uniforms: the same ids as the host sampler. */
    @RepeatedTest(3)
    void sampling() {
        int vocab = 30_000 + rnd.nextInt(1000);
        float[] temp = {0f, 1f, 0.7f, 1.3f, 1f, 0.5f, 0.8f, 2f};
        int[] topK = {0, 0, 50, 0, 1000, 1, 40, 5};
        float[] topP = {1f, 1f, 1f, 0.9f, 0.5f, 1f, 0.95f, 0.3f};
        double[] uniform = new double[temp.length];
        for (int i = 0; i < uniform.length; i++) uniform[i] = rnd.nextDouble();
        float[] values = new float[temp.length * vocab];
        for (int i = 0; i < values.length; i++) values[i] = (float) (rnd.nextGaussian() * 3);
        var logits = b.exactTensor(values, temp.length, vocab);
        var rows = new SamplingRows(temp, topK, topP, uniform);
        assertArrayEquals(b.cpu.sample(logits.cpu(), rows), b.cuda.sample(logits.cuda(), rows));
    }
}
