package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.Rope;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.WeightSource;

/**
 * The forward pass of the Llama/Mistral/Qwen2/Qwen3 decoder, written once against {@link Backend}; the
 * only class that issues backend ops. Holds one model's weights, rotary tables, KV cache storage and a
 * scratch workspace that grows to the largest step seen (so steady-state steps allocate nothing).
 */
public final class ModelRunner implements AutoCloseable {

    /** Which attention a step runs: over the step's own prompt tokens, or paged over the cache. */
    public enum Phase { PREFILL, DECODE }

    private final ModelConfig config;
    private final Backend backend;
    // null between releaseWeights and reloadWeights; those and close lock the runner: a worker may
    // release an evicted model's weights on one thread while another closes its engine
    private volatile ModelWeights weights;
    private final Rope rope;
    private final KvCache kvCache;
    private final float eps;
    private Workspace workspace;
    private Tensor logits;

    public ModelRunner(ModelConfig config, WeightSource source, Backend backend, KvCacheShape kvShape) {
        this(config, source, backend, kvShape, false);
    }

    /**
     * @param growingKv take KV storage as blocks are written ({@link Backend#allocateGrowingKvCache}):
     *                  for an engine whose blocks are pages of a device's shared pool, which it may
     *                  address whole but holds only a share of
     */
    public ModelRunner(ModelConfig config, WeightSource source, Backend backend, KvCacheShape kvShape, boolean growingKv) {
        if (kvShape.layers() != config.numLayers() || kvShape.kvHeads() != config.numKvHeads()
                || kvShape.headDim() != config.headDim()) {
            throw new IllegalArgumentException("KV cache shape " + kvShape + " does not fit the model");
        }
        this.config = config;
        this.backend = backend;
        this.weights = ModelWeights.load(config, source, backend);
        this.rope = backend.createRope(RotaryFrequencies.inverse(config));
        this.kvCache = growingKv ? backend.allocateGrowingKvCache(kvShape) : backend.allocateKvCache(kvShape);
        this.eps = (float) config.rmsNormEps();
    }

    public ModelConfig config() { return config; }

    /** The memory behind this runner's KV blocks, taken and given back as the engine allocates and frees them. */
    public KvBlockBacking kvBacking() {
        return new KvBlockBacking() {
            @Override public boolean back(int[] blocks) { return backend.backKvBlocks(kvCache, blocks); }

            @Override public void unback(int[] blocks) { backend.unbackKvBlocks(kvCache, blocks); }
        };
    }

    public ModelWeights weights() { return weights; }

    /** True while the weights are on the backend (see {@link #releaseWeights}). */
    public boolean hasWeights() { return weights != null; }

    /**
     * Frees the weights on the backend but keeps the KV cache, so sequences' KV survives while the
     * model is off the device; {@link #reloadWeights} brings them back. Steps fail until then.
     */
    public synchronized void releaseWeights() {
        if (weights == null) return;
        weights.release(backend);
        weights = null;
    }

    /** Loads the weights again after {@link #releaseWeights} (no-op while they are resident). */
    public synchronized void reloadWeights(WeightSource source) {
        if (weights == null) weights = ModelWeights.load(config, source, backend);
    }

    public Backend backend() { return backend; }

    /**
     * Runs one step and returns the logits {@code [layout.logitRows().length x vocab]}, resident on the
     * backend and valid until the next call.
     */
    public Tensor forward(StepLayout layout, Phase phase) {
        if (weights == null) throw new IllegalStateException("the model's weights were released; reload them before a step");
        int n = layout.numTokens();
        Workspace w = workspace(n);
        Tensor residual = w.residual.rowsView(n), normed = w.normed.rowsView(n), proj = w.proj.rowsView(n);
        Tensor q = w.q.rowsView(n), k = w.k.rowsView(n), v = w.v.rowsView(n), attn = w.attn.rowsView(n);
        Tensor gate = w.gate.rowsView(n), up = w.up.rowsView(n);
        int heads = config.numHeads(), kvHeads = config.numKvHeads();

        StepInputs step = backend.beginStep(layout);
        backend.embed(weights.embed(), step, residual);
        backend.rmsNorm(residual, weights.layers().get(0).attnNorm(), eps, normed);
        for (int i = 0; i < config.numLayers(); i++) {
            ModelWeights.Layer l = weights.layers().get(i);
            backend.linear(normed, l.q(), l.qBias(), q);
            backend.linearPair(normed, l.k(), l.kBias(), k, l.v(), l.vBias(), v);
            if (l.qNorm() != null) {
                backend.headRmsNorm(q, heads, l.qNorm(), eps);
                backend.headRmsNorm(k, kvHeads, l.kNorm(), eps);
            }
            backend.rope(q, k, heads, kvHeads, rope, step);
            backend.writeKv(k, v, kvCache, i, step);
            if (phase == Phase.PREFILL) backend.prefillAttention(q, k, v, heads, kvHeads, step, attn);
            else backend.decodeAttention(q, kvCache, i, heads, kvHeads, step, attn);
            backend.addProjectionRmsNorm(attn, l.o(), proj, residual, l.mlpNorm(), eps, normed);
            backend.mlpActivation(normed, l.gate(), l.up(), gate, up);
            boolean last = i + 1 == config.numLayers();
            // the final norm's rows are gathered as fp32, so they go to proj, not to the products' input
            backend.addProjectionRmsNorm(gate, l.down(), proj, residual,
                    last ? weights.finalNorm() : weights.layers().get(i + 1).attnNorm(), eps, last ? proj : normed);
        }
        int rows = layout.logitRows().length;
        Tensor picked = w.picked(rows);
        backend.gatherRows(proj, step, picked);
        Tensor out = logits(rows);
        backend.linear(picked, weights.lmHead(), null, out);
        return out;
    }

    /** Swap support: the KV of {@code blocks} copied to host memory (see {@link Backend#readKvBlocks}). */
    public float[] readKvBlocks(int[] blocks) { return backend.readKvBlocks(kvCache, blocks); }

    /** Swap support: restores what {@link #readKvBlocks} returned into {@code blocks}. */
    public void writeKvBlocks(int[] blocks, float[] host) { backend.writeKvBlocks(kvCache, blocks, host); }

    /** Hand-off support: every write queued for the KV cache so far is complete on return (see {@link Backend#finishKvWrites}). */
    public void finishKvWrites() { backend.finishKvWrites(kvCache); }

    /**
     * Hand-off support: copies {@code sourceBlocks} of {@code source}'s KV cache into {@code blocks}
     * of this one (see {@link Backend#copyKvBlocksFrom}); on this runner's thread.
     */
    public void copyKvBlocksFrom(ModelRunner source, int[] sourceBlocks, int[] blocks) {
        backend.copyKvBlocksFrom(source.backend, source.kvCache, sourceBlocks, kvCache, blocks);
    }

    public int[] sample(Tensor logits, SamplingRows rows) { return backend.sample(logits, rows); }

    public float[] toHost(Tensor logits) {
        float[] host = new float[logits.rows() * logits.cols()];
        backend.copyToHost(logits, logits.rows(), host);
        return host;
    }

    private Workspace workspace(int tokens) {
        if (workspace == null || workspace.capacity < tokens) {
            if (workspace != null) workspace.release(backend);
            workspace = new Workspace(backend, config, Math.max(tokens, workspace == null ? 1 : workspace.capacity * 2),
                    weights.sixteenBitProducts());
        }
        return workspace;
    }

    private Tensor logits(int rows) {
        if (logits == null || logits.rows() < rows) {
            if (logits != null) backend.release(logits);
            logits = backend.allocate(rows, config.vocabSize());
        }
        return logits.rowsView(rows);
    }

    @Override
    public synchronized void close() {
        releaseWeights();
        if (workspace != null) workspace.release(backend);
        if (logits != null) backend.release(logits);
        backend.release(kvCache);
    }

    /** Scratch activations for up to {@code capacity} tokens. */
    private static final class Workspace {
        final int capacity;
        final Tensor residual, normed, proj, q, k, v, attn, gate, up, picked;

        /** {@code productInputs}: normed and attn are read only by products whose weights are 16-bit. */
        Workspace(Backend b, ModelConfig c, int capacity, boolean productInputs) {
            this.capacity = capacity;
            int h = c.hiddenSize();
            residual = b.allocate(capacity, h);
            normed = productInputs ? b.allocateProductInput(capacity, h) : b.allocate(capacity, h);
            proj = b.allocate(capacity, h);
            q = b.allocate(capacity, c.qSize());
            k = b.allocate(capacity, c.kvSize());
            v = b.allocate(capacity, c.kvSize());
            attn = productInputs ? b.allocateProductInput(capacity, c.qSize()) : b.allocate(capacity, c.qSize());
            gate = b.allocate(capacity, c.intermediateSize());
            up = b.allocate(capacity, c.intermediateSize());
            picked = b.allocate(capacity, h);
        }

        Tensor picked(int rows) { return picked.rowsView(rows); }

        void release(Backend b) {
            for (Tensor t : new Tensor[] {residual, normed, proj, q, k, v, attn, gate, up, picked}) b.release(t);
        }
    }
}
