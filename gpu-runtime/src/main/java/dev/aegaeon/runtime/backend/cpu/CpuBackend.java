package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.HostSampler;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.Rope;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightTensor;

/**
 * The reference backend: fp32 on the Java heap, weights read in place from their segments, hot loops
 * on the Vector API, output rows / heads split over a fork-join pool of all cores.
 */
public final class CpuBackend implements Backend {
    /** Tokens whose activations one matmul pass keeps hot (64 x 4864 floats = 1.2 MB at most). */
    private static final CpuKernels KERNELS = CpuKernels.best();
    private static final int TOKEN_TILE = 64;

    private final Parallel parallel;
    private final ThreadLocal<float[]> rowBuffer = ThreadLocal.withInitial(() -> new float[0]);

    public CpuBackend() { this(Runtime.getRuntime().availableProcessors()); }

    public CpuBackend(int threads) { this.parallel = new Parallel(Math.max(1, threads)); }

    @Override public String name() { return "cpu"; }

    public int threads() { return parallel.threads(); }

    // ---- buffers ----

    @Override
    public Tensor allocate(int rows, int cols) {
        if (rows < 0 || cols <= 0) throw new IllegalArgumentException("bad tensor shape " + rows + "x" + cols);
        return new CpuTensor(new float[Math.multiplyExact(rows, cols)], rows, cols);
    }

    @Override
    public Weight loadWeight(WeightTensor source) {
        long[] shape = source.shape();
        int rows, cols;
        if (shape.length == 1) {
            rows = 1;
            cols = Math.toIntExact(shape[0]);
        } else if (shape.length == 2) {
            rows = Math.toIntExact(shape[0]);
            cols = Math.toIntExact(shape[1]);
        } else {
            throw new IllegalArgumentException("tensor " + source.name() + " has rank " + shape.length + ", expected 1 or 2");
        }
        return new CpuWeight(source.name(), source.data(), source.dtype(), rows, cols);
    }

    @Override
    public KvCache allocateKvCache(KvCacheShape shape) { return new CpuKvCache(shape, false); }

    @Override
    public KvCache allocateGrowingKvCache(KvCacheShape shape) { return new CpuKvCache(shape, true); }

    @Override
    public boolean kvCacheGrowsWithUse() { return true; }

    @Override
    public Rope createRope(float[] inverseFrequencies) { return new CpuRope(inverseFrequencies); }

    @Override
    public StepInputs beginStep(StepLayout layout) { return new CpuStepInputs(layout); }

    @Override
    public void copyToHost(Tensor src, int rows, float[] dst) {
        CpuTensor t = cpu(src);
        if (rows > t.rows()) throw new IllegalArgumentException(rows + " rows requested of a " + t.rows() + "-row tensor");
        System.arraycopy(t.data, 0, dst, 0, rows * t.cols());
    }

    @Override
    public float[] readKvBlocks(KvCache cache, int[] blocks) { return kv(cache).readBlocks(blocks); }

    @Override
    public void writeKvBlocks(KvCache cache, int[] blocks, float[] host) { kv(cache).writeBlocks(blocks, host); }

    private static CpuKvCache kv(KvCache cache) {
        if (!(cache instanceof CpuKvCache c)) throw new IllegalArgumentException("not a CPU KV cache: " + cache);
        return c;
    }

    @Override
    public void copyFromHost(float[] src, Tensor dst) {
        CpuTensor t = cpu(dst);
        if (src.length % t.cols() != 0 || src.length / t.cols() > t.rows()) {
            throw new IllegalArgumentException(src.length + " values do not fill whole rows of a " + t.rows() + "x" + t.cols() + " tensor");
        }
        System.arraycopy(src, 0, t.data, 0, src.length);
    }

    @Override
    public void release(Object buffer) {
        // heap buffers: the garbage collector reclaims them
    }

    // ---- ops ----

    @Override
    public void embed(Weight table, StepInputs step, Tensor out) {
        CpuWeight w = cpu(table);
        CpuTensor o = cpu(out);
        int[] ids = step.layout().tokenIds();
        requireCols(o, w.cols(), "embed output");
        requireRows(o, ids.length, "embed output");
        for (int id : ids) {
            if (id < 0 || id >= w.rows()) throw new IllegalArgumentException("token id " + id + " outside vocab " + w.rows());
        }
        float[] row = buffer(w.cols());
        for (int t = 0; t < ids.length; t++) {
            KERNELS.widenRow(w, ids[t], row);
            System.arraycopy(row, 0, o.data, t * w.cols(), w.cols());
        }
    }

    @Override
    public void rmsNorm(Tensor x, Weight gamma, float eps, Tensor out) {
        CpuTensor xs = cpu(x), os = cpu(out);
        float[] g = vector(gamma, xs.cols());
        requireCols(os, xs.cols(), "rmsNorm output");
        for (int r = 0; r < xs.rows(); r++) normalizeRow(xs.data, r * xs.cols(), os.data, r * xs.cols(), xs.cols(), g, eps);
    }

    @Override
    public void addRmsNorm(Tensor x, Tensor residual, Weight gamma, float eps, Tensor out) {
        CpuTensor xs = cpu(x), rs = cpu(residual), os = cpu(out);
        int cols = xs.cols();
        float[] g = vector(gamma, cols);
        requireCols(rs, cols, "residual");
        requireCols(os, cols, "addRmsNorm output");
        requireRows(rs, xs.rows(), "residual");
        for (int r = 0; r < xs.rows(); r++) {
            int o = r * cols;
            for (int k = 0; k < cols; k++) rs.data[o + k] += xs.data[o + k];
            normalizeRow(rs.data, o, os.data, o, cols, g, eps);
        }
    }

    private static void normalizeRow(float[] src, int so, float[] dst, int dO, int n, float[] gamma, float eps) {
        double sumSquares = 0;
        for (int k = 0; k < n; k++) sumSquares += (double) src[so + k] * src[so + k];
        float inverseRms = (float) (1.0 / Math.sqrt((float) (sumSquares / n) + eps));
        for (int k = 0; k < n; k++) dst[dO + k] = gamma[k] * (src[so + k] * inverseRms);
    }

    @Override
    public void linear(Tensor x, Weight w, Weight bias, Tensor out) {
        CpuTensor xs = cpu(x), os = cpu(out);
        CpuWeight ws = cpu(w);
        int in = ws.cols(), outCols = ws.rows(), n = xs.rows();
        requireCols(xs, in, "linear input for " + ws.name());
        requireCols(os, outCols, "linear output for " + ws.name());
        requireRows(os, n, "linear output for " + ws.name());
        float[] b = bias == null ? null : vector(bias, outCols);
        if (ws.dtype() == DType.BF16) {
            linearBf16(xs.data, n, ws, b, os.data, outCols);
            return;
        }
        float[] xd = xs.data, od = os.data;
        parallel.forRange(outCols, 16, (from, to) -> {
            float[] row = buffer(in);
            float[] four = new float[4];
            for (int j = from; j < to; j++) {
                KERNELS.widenRow(ws, j, row);
                float bj = b == null ? 0f : b[j];
                int t = 0;
                for (; t + 4 <= n; t += 4) {
                    KERNELS.dot4(row, 0, xd, t * in, (t + 1) * in, (t + 2) * in, (t + 3) * in, in, four);
                    for (int u = 0; u < 4; u++) od[(t + u) * outCols + j] = four[u] + bj;
                }
                for (; t < n; t++) od[t * outCols + j] = KERNELS.dot(row, 0, xd, t * in, in) + bj;
            }
        });
    }

    /** The hot path: bf16 rows read straight from their segment, x pair-split once per call. */
    private void linearBf16(float[] x, int n, CpuWeight ws, float[] b, float[] od, int outCols) {
        int in = ws.cols();
        float[] xp = new float[n * in];
        for (int t = 0; t < n; t++) KERNELS.pairSplit(x, t * in, in, xp, t * in);
        java.lang.foreign.MemorySegment w = ws.data();
        parallel.forRange(outCols, 16, (from, to) -> {
            float[] four = new float[4];
            // token tiles keep the activations cache-resident while this chunk's rows are reused
            for (int tile = 0; tile < n; tile += TOKEN_TILE) {
                int tileEnd = Math.min(n, tile + TOKEN_TILE);
                for (int j = from; j < to; j++) {
                    long row = 2L * j * in;
                    float bj = b == null ? 0f : b[j];
                    int t = tile;
                    for (; t + 4 <= tileEnd; t += 4) {
                        KERNELS.dot4Bf16Pairs(w, row, xp, t * in, (t + 1) * in, (t + 2) * in, (t + 3) * in, in, four);
                        for (int u = 0; u < 4; u++) od[(t + u) * outCols + j] = four[u] + bj;
                    }
                    for (; t < tileEnd; t++) od[t * outCols + j] = KERNELS.dotBf16Pairs(w, row, xp, t * in, in) + bj;
                }
            }
        });
    }

    @Override
    public void headRmsNorm(Tensor x, int heads, Weight gamma, float eps) {
        CpuTensor xs = cpu(x);
        if (xs.cols() % heads != 0) throw new IllegalArgumentException("headRmsNorm: " + xs.cols() + " columns are not " + heads + " heads");
        int headDim = xs.cols() / heads;
        float[] g = vector(gamma, headDim);
        for (int r = 0; r < xs.rows(); r++) {
            for (int h = 0; h < heads; h++) {
                int o = r * xs.cols() + h * headDim;
                normalizeRow(xs.data, o, xs.data, o, headDim, g, eps);
            }
        }
    }

    @Override
    public void rope(Tensor q, Tensor k, int qHeads, int kvHeads, Rope rope, StepInputs step) {
        CpuTensor qs = cpu(q), ks = cpu(k);
        CpuRope r = (CpuRope) rope;
        int headDim = r.headDim(), half = headDim / 2;
        requireCols(qs, qHeads * headDim, "rope q");
        requireCols(ks, kvHeads * headDim, "rope k");
        int[] positions = step.layout().positions();
        int maxPosition = 0;
        for (int p : positions) maxPosition = Math.max(maxPosition, p);
        r.ensure(maxPosition);
        float[] cos = r.cosTable(), sin = r.sinTable();
        for (int t = 0; t < positions.length; t++) {
            int table = positions[t] * half;
            rotate(qs.data, t * qs.cols(), qHeads, headDim, cos, sin, table);
            rotate(ks.data, t * ks.cols(), kvHeads, headDim, cos, sin, table);
        }
    }

    private static void rotate(float[] x, int rowOffset, int heads, int headDim, float[] cos, float[] sin, int table) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int o = rowOffset + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[o + i], x2 = x[o + i + half];
                float c = cos[table + i], s = sin[table + i];
                x[o + i] = x1 * c - x2 * s;
                x[o + i + half] = x2 * c + x1 * s;
            }
        }
    }

    @Override
    public void writeKv(Tensor k, Tensor v, KvCache cache, int layer, StepInputs step) {
        CpuTensor ks = cpu(k), vs = cpu(v);
        CpuKvCache c = (CpuKvCache) cache;
        int width = c.shape().kvHeads() * c.shape().headDim();
        requireCols(ks, width, "writeKv k");
        requireCols(vs, width, "writeKv v");
        int[] slots = step.layout().slotMapping();
        long maxSlot = c.shape().slots();
        for (int t = 0; t < slots.length; t++) {
            int slot = slots[t];
            if (slot < 0) continue;
            if (slot >= maxSlot) throw new IllegalArgumentException("slot " + slot + " beyond the KV cache");
            c.ensureSlot(slot);
            System.arraycopy(ks.data, t * width, c.keys[layer], slot * width, width);
            System.arraycopy(vs.data, t * width, c.values[layer], slot * width, width);
        }
    }

    @Override
    public void prefillAttention(Tensor q, Tensor k, Tensor v, int qHeads, int kvHeads, StepInputs step, Tensor out) {
        CpuTensor qs = cpu(q), ks = cpu(k), vs = cpu(v), os = cpu(out);
        StepLayout layout = step.layout();
        int headDim = qs.cols() / qHeads, group = qHeads / kvHeads;
        requireCols(ks, kvHeads * headDim, "prefillAttention k");
        requireCols(os, qs.cols(), "prefillAttention output");
        int[] seqOfToken = sequenceOfEachToken(layout);
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int tokens = layout.numTokens();
        parallel.forRange(tokens * qHeads, 4, (from, to) -> {
            float[] scores = new float[tokens];
            for (int i = from; i < to; i++) {
                int t = i / qHeads, h = i % qHeads, kvh = h / group;
                int start = layout.queryStart()[seqOfToken[t]];
                int qo = t * qs.cols() + h * headDim;
                int n = t - start + 1;
                for (int j = 0; j < n; j++) {
                    scores[j] = KERNELS.dot(qs.data, qo, ks.data, (start + j) * ks.cols() + kvh * headDim, headDim) * scale;
                }
                int oo = t * os.cols() + h * headDim;
                java.util.Arrays.fill(os.data, oo, oo + headDim, 0f);
                float total = softmaxInPlace(scores, n);
                for (int j = 0; j < n; j++) {
                    KERNELS.axpy(scores[j] / total, vs.data, (start + j) * vs.cols() + kvh * headDim, os.data, oo, headDim);
                }
            }
        });
    }

    @Override
    public void decodeAttention(Tensor q, KvCache cache, int layer, int qHeads, int kvHeads, StepInputs step, Tensor out) {
        CpuTensor qs = cpu(q), os = cpu(out);
        CpuKvCache c = (CpuKvCache) cache;
        StepLayout layout = step.layout();
        int headDim = c.shape().headDim(), blockSize = c.shape().blockSize(), group = qHeads / kvHeads;
        int width = kvHeads * headDim;
        requireCols(qs, qHeads * headDim, "decodeAttention q");
        float[] keys = c.keys[layer], values = c.values[layer];
        int seqs = layout.numSeqs();
        int maxContext = 0;
        for (int s = 0; s < seqs; s++) {
            if (layout.queryStart()[s + 1] - layout.queryStart()[s] != 1) {
                throw new IllegalArgumentException("decodeAttention needs exactly one query token per sequence");
            }
            maxContext = Math.max(maxContext, layout.contextLengths()[s]);
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int scratch = maxContext;
        parallel.forRange(seqs * qHeads, 2, (from, to) -> {
            float[] scores = new float[scratch];
            for (int i = from; i < to; i++) {
                int s = i / qHeads, h = i % qHeads, kvh = h / group;
                int row = layout.queryStart()[s], context = layout.contextLengths()[s];
                int qo = row * qs.cols() + h * headDim;
                int tableBase = s * layout.maxBlocksPerSeq();
                for (int p = 0; p < context; p++) {
                    int slot = layout.blockTables()[tableBase + p / blockSize] * blockSize + p % blockSize;
                    scores[p] = KERNELS.dot(qs.data, qo, keys, slot * width + kvh * headDim, headDim) * scale;
                }
                int oo = row * os.cols() + h * headDim;
                java.util.Arrays.fill(os.data, oo, oo + headDim, 0f);
                float total = softmaxInPlace(scores, context);
                for (int p = 0; p < context; p++) {
                    int slot = layout.blockTables()[tableBase + p / blockSize] * blockSize + p % blockSize;
                    KERNELS.axpy(scores[p] / total, values, slot * width + kvh * headDim, os.data, oo, headDim);
                }
            }
        });
    }

    /** Replaces scores[0..n) by exp(score - max) and returns their sum. */
    private static float softmaxInPlace(float[] scores, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, scores[j]);
        float total = 0;
        for (int j = 0; j < n; j++) {
            scores[j] = (float) Math.exp(scores[j] - max);
            total += scores[j];
        }
        return total;
    }

    private static int[] sequenceOfEachToken(StepLayout layout) {
        int[] seqOf = new int[layout.numTokens()];
        for (int s = 0; s < layout.numSeqs(); s++) {
            for (int t = layout.queryStart()[s]; t < layout.queryStart()[s + 1]; t++) seqOf[t] = s;
        }
        return seqOf;
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        CpuTensor g = cpu(gate), u = cpu(up), o = cpu(out);
        requireCols(u, g.cols(), "siluMul up");
        requireCols(o, g.cols(), "siluMul output");
        int n = g.rows() * g.cols();
        parallel.forRange(n, 4096, (from, to) -> {
            for (int i = from; i < to; i++) {
                float x = g.data[i];
                o.data[i] = x / (1f + (float) Math.exp(-x)) * u.data[i];
            }
        });
    }

    @Override
    public void gatherRows(Tensor x, StepInputs step, Tensor out) {
        CpuTensor xs = cpu(x), os = cpu(out);
        int[] rows = step.layout().logitRows();
        requireCols(os, xs.cols(), "gatherRows output");
        requireRows(os, rows.length, "gatherRows output");
        for (int i = 0; i < rows.length; i++) System.arraycopy(xs.data, rows[i] * xs.cols(), os.data, i * xs.cols(), xs.cols());
    }

    @Override
    public int[] sample(Tensor logits, SamplingRows rows) {
        CpuTensor l = cpu(logits);
        requireRows(l, rows.size(), "sample logits");
        int[] ids = new int[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = HostSampler.sample(l.data, i * l.cols(), l.cols(), rows.temperature()[i], rows.topK()[i],
                    rows.topP()[i], rows.uniform()[i]);
        }
        return ids;
    }

    @Override
    public void close() { parallel.close(); }

    // ---- helpers ----

    private float[] buffer(int n) {
        float[] b = rowBuffer.get();
        if (b.length < n) {
            b = new float[n];
            rowBuffer.set(b);
        }
        return b;
    }

    /** A 1-row weight (norm gamma, bias) widened to fp32. */
    private static float[] vector(Weight weight, int expected) {
        CpuWeight w = cpu(weight);
        if (w.rows() != 1 || w.cols() != expected) {
            throw new IllegalArgumentException(w.name() + " has shape " + w.rows() + "x" + w.cols() + ", expected a vector of " + expected);
        }
        return w.widenedVector();
    }

    private static CpuTensor cpu(Tensor t) {
        if (t instanceof CpuTensor c) return c;
        throw new IllegalArgumentException("tensor of another backend: " + t);
    }

    private static CpuWeight cpu(Weight w) {
        if (w instanceof CpuWeight c) return c;
        throw new IllegalArgumentException("weight of another backend: " + w);
    }

    private static void requireCols(Tensor t, int cols, String what) {
        if (t.cols() != cols) throw new IllegalArgumentException(what + " has " + t.cols() + " columns, expected " + cols);
    }

    private static void requireRows(Tensor t, int rows, String what) {
        if (t.rows() < rows) throw new IllegalArgumentException(what + " has " + t.rows() + " rows, needs " + rows);
    }
}
