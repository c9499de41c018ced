package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.sampling.JsonConstraint;
import dev.aegaeon.runtime.sampling.ResponseFormat;
import dev.aegaeon.runtime.sampling.RowSampler;
import dev.aegaeon.runtime.sampling.Sampled;
import dev.aegaeon.runtime.sampling.TokenTexts;
import dev.aegaeon.runtime.weights.WeightSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One model on one backend, stepped by a scheduler. The step API is {@link #prefill(Batch)} (prompts
 * of new sequences, one sampled token each) and {@link #decode(Batch)} (one token for each running
 * sequence); both reserve KV blocks first and answer {@link StepResult.NoRoom} without side effects
 * when the cache is full. Finished sequences free their blocks at once; {@link #cancel} frees a
 * running one. Not thread-safe: one step at a time, on one thread; the one exception is a
 * {@link #detach}ed set, which the adopting engine's thread frees (its block pool is synchronised
 * for that, and the ledger of detached sets is concurrent).
 */
public final class InferenceEngine implements AutoCloseable {
    private static final AtomicLong NEXT_ID = new AtomicLong();

    private final ModelConfig config;
    private final ModelRunner runner;
    private final KvCacheShape kvShape;
    private final KvBlockManager kv;
    private final TokenDecoder decoder;
    private LogitsObserver logitsObserver;
    private volatile TokenTexts tokenTexts;
    /** Detached sets whose blocks this engine still holds: each leaves it exactly once (adopted or discarded). */
    private final Set<KvSwap.Detached> detached = ConcurrentHashMap.newKeySet();

    public InferenceEngine(ModelConfig config, WeightSource weights, Backend backend, EngineOptions options) {
        this.config = config;
        this.kvShape = new KvCacheShape(config.numLayers(), config.numKvHeads(), config.headDim(), options.blockSize(), options.numBlocks());
        this.runner = new ModelRunner(config, weights, backend, kvShape, options.pages() != null);
        this.kv = new KvBlockManager(options.numBlocks(), options.blockSize(), options.pages(),
                options.pages() != null ? runner.kvBacking() : KvBlockBacking.NONE);
        this.decoder = options.decoder();
        if (decoder != null) this.tokenTexts = new TokenTexts(config.vocabSize(), id -> decoder.decode(new int[] {id}));
    }

    /** The vocabulary's texts, which a {@code response_format} constraint needs (set by whoever has the tokenizer). */
    public void setTokenTexts(TokenTexts texts) { this.tokenTexts = texts; }

    public ModelConfig config() { return config; }

    public ModelRunner runner() { return runner; }

    public int freeBlocks() { return kv.freeBlocks(); }

    /**
     * Frees the weights on the backend and keeps the KV cache and sequences: a model taken off the
     * device while requests still hold KV in it. Steps fail until {@link #reloadWeights}; swaps work.
     */
    public void releaseWeights() { runner.releaseWeights(); }

    /** Loads the weights again from {@code weights} after {@link #releaseWeights}; no-op while resident. */
    public void reloadWeights(WeightSource weights) { runner.reloadWeights(weights); }

    /** True while the weights are on the backend. */
    public boolean weightsResident() { return runner.hasWeights(); }

    public int totalBlocks() { return kv.totalBlocks(); }

    /**
     * KV blocks held now by this engine's sequences and detached sets. With a private pool this is
     * {@code totalBlocks() - freeBlocks()}; with shared pages {@link #freeBlocks()} is bounded by
     * the device's free pages instead, and this is the engine's own share.
     */
    public int usedBlocks() { return kv.usedBlocks(); }

    public int blockSize() { return kv.blockSize(); }

    public void setLogitsObserver(LogitsObserver observer) { this.logitsObserver = observer; }

    /** A new waiting sequence; the ids are checked against the vocabulary here, not deep in a step. */
    public Sequence newSequence(int[] promptIds, SamplingParams params) {
        if (promptIds.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        for (int id : promptIds) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        if (!params.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer, and this model has none");
        }
        for (int id : params.logitBias().keySet()) {
            if (id >= config.vocabSize()) {
                throw new IllegalArgumentException("logit_bias token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        JsonConstraint constraint = null;
        if (!(params.responseFormat() instanceof ResponseFormat.Text)) {
            if (tokenTexts == null) throw new IllegalArgumentException("response_format needs a tokenizer, and this model has none");
            constraint = JsonConstraint.of(params.responseFormat(), tokenTexts, params.stopTokenIds());
        }
        return new Sequence(NEXT_ID.incrementAndGet(), this, promptIds, params, constraint);
    }

    /**
     * Runs the tokens of sequences that have nothing cached (new ones, or ones {@link #preempt}ed) in one
     * step and samples the next token of each.
     */
    public StepResult prefill(Batch batch) {
        for (Sequence s : batch.sequences()) {
            check(s);
            if (s.cachedTokens() != 0) throw new IllegalStateException(s + " is already prefilled");
        }
        List<Sequence> seqs = batch.sequences();
        int[] targets = seqs.stream().mapToInt(Sequence::length).toArray();
        if (kv.reserve(seqs, targets) instanceof KvReservation.NoRoom(int needed, int free)) {
            return new StepResult.NoRoom(needed, free);
        }
        int tokens = Arrays.stream(targets).sum();
        StepLayout layout = layout(seqs, tokens, true, lastRows(seqs, targets));
        Tensor logits = runner.forward(layout, ModelRunner.Phase.PREFILL);
        for (int i = 0; i < seqs.size(); i++) seqs.get(i).setCachedTokens(targets[i]);
        return sampleAndAdvance(seqs, logits);
    }

    /** One token for each running sequence; the newest token of each is fed and cached. */
    public StepResult decode(Batch batch) {
        for (Sequence s : batch.sequences()) {
            check(s);
            if (s.cachedTokens() != s.length() - 1) throw new IllegalStateException(s + " needs a prefill before decode");
        }
        List<Sequence> seqs = batch.sequences();
        int[] targets = seqs.stream().mapToInt(Sequence::length).toArray();
        if (kv.reserve(seqs, targets) instanceof KvReservation.NoRoom(int needed, int free)) {
            return new StepResult.NoRoom(needed, free);
        }
        int[] rows = new int[seqs.size()];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        StepLayout layout = layout(seqs, seqs.size(), false, rows);
        Tensor logits = runner.forward(layout, ModelRunner.Phase.DECODE);
        for (int i = 0; i < seqs.size(); i++) seqs.get(i).setCachedTokens(targets[i]);
        return sampleAndAdvance(seqs, logits);
    }

    /**
     * KV blocks a step would have to allocate for {@code batch}: prefill of uncached sequences, or one
     * decode step of running ones. Compare with {@link #freeBlocks()} to plan a step without running it.
     */
    public int blocksNeeded(Batch batch) {
        int needed = 0;
        for (Sequence s : batch.sequences()) needed += Math.max(0, kv.blocksFor(s.length()) - s.blockCount());
        return needed;
    }

    /**
     * Frees a running sequence's KV blocks but keeps its tokens: a later {@link #prefill} recomputes
     * them (recompute preemption) and generation continues where it stopped.
     */
    public void preempt(Sequence sequence) {
        if (sequence.owner() != this) throw new IllegalArgumentException(sequence + " belongs to another engine");
        if (sequence.isFinished()) return;
        kv.release(sequence);
        sequence.setCachedTokens(0);
    }

    /**
     * Swap-out: copies a running sequence's cached KV to host memory and frees its blocks. The
     * sequence keeps its tokens and cached count; {@link #swapIn} restores the KV, after which the
     * next decode step continues exactly as if the sequence had never left.
     */
    public KvSwap.Host swapOut(Sequence sequence) {
        check(sequence);
        if (sequence.cachedTokens() == 0) throw new IllegalStateException(sequence + " has no KV to swap out");
        int[] blocks = sequence.blockTable();
        float[] host = runner.readKvBlocks(blocks);
        kv.release(sequence);
        return new KvSwap.Host(host, blocks.length, sequence.cachedTokens());
    }

    /**
     * Hand-off swap-out without a copy: the sequence leaves its blocks (it holds none afterwards,
     * as after {@link #swapOut}) but they stay reserved here, their writes complete, until an
     * engine on another device {@link #adopt}s the sequence and copies them device to device, or
     * the answer is {@link KvSwap#discard() discarded}. Until then they count as used
     * ({@link #freeBlocks()}, {@link #detachedBlocks()}).
     */
    public KvSwap.Detached detach(Sequence sequence) {
        check(sequence);
        if (sequence.cachedTokens() == 0) throw new IllegalStateException(sequence + " has no KV to detach");
        runner.finishKvWrites(); // the adopting thread copies the blocks and must not wait on this engine's queues
        int[] blocks = kv.detach(sequence);
        KvSwap.Detached d = new KvSwap.Detached(this, blocks, sequence.cachedTokens(), hostBytes(blocks.length));
        detached.add(d);
        return d;
    }

    /**
     * Recompute preemption: frees a running sequence's blocks and keeps nothing; {@link #swapIn} (or
     * {@link #adopt}) of the answer computes the cached positions again by a prefill without sampling,
     * after which the next decode step continues exactly as if the sequence had never left.
     */
    public KvSwap.Recompute dropForRecompute(Sequence sequence) {
        check(sequence);
        if (sequence.cachedTokens() == 0) throw new IllegalStateException(sequence + " has no KV to drop");
        KvSwap.Recompute r = new KvSwap.Recompute(sequence.blockCount(), sequence.cachedTokens());
        kv.release(sequence);
        return r;
    }

    /** Bytes of host memory a {@link #swapOut} of the sequence would take now (the CPU layout, fp32). */
    public long hostSwapBytes(Sequence sequence) { return hostBytes(sequence.blockCount()); }

    private long hostBytes(int blocks) { return blocks * kvShape.bytesPerBlock(Float.BYTES); }

    /** Blocks held by detached sets not yet adopted or discarded (a leak shows here); any thread. */
    public int detachedBlocks() {
        int n = 0;
        for (KvSwap.Detached d : detached) n += d.blocks();
        return n;
    }

    /** Frees a detached set's blocks if this engine still holds them; true when it did. Any thread. */
    boolean releaseDetached(KvSwap.Detached d) {
        if (d.source() != this) throw new IllegalArgumentException("the detached KV belongs to another engine");
        if (!detached.remove(d)) return false;
        kv.free(d.blockIds());
        return true;
    }

    /**
     * Swap-in: re-acquires blocks for the sequence's cached tokens (any ids) and copies the host KV
     * back; a set this engine detached is re-attached without a copy. Answers
     * {@link KvReservation.NoRoom} (nothing changed) when the blocks are not free.
     */
    public KvReservation swapIn(Sequence sequence, KvSwap swapped) {
        check(sequence);
        if (sequence.blockCount() != 0) throw new IllegalStateException(sequence + " is not swapped out");
        if (swapped.cachedTokens() != sequence.cachedTokens() || kv.blocksFor(swapped.cachedTokens()) != swapped.blocks()) {
            throw new IllegalArgumentException("the swapped KV does not belong to " + sequence);
        }
        return switch (swapped) {
            case KvSwap.Host host -> {
                KvReservation r = kv.reserve(List.of(sequence), new int[] {host.cachedTokens()});
                if (r.granted()) runner.writeKvBlocks(sequence.blockTable(), host.data());
                yield r;
            }
            case KvSwap.Recompute r -> {
                KvReservation granted = kv.reserve(List.of(sequence), new int[] {r.cachedTokens()});
                if (granted.granted()) {
                    int tokens = r.cachedTokens();
                    runner.forward(layout(List.of(sequence), tokens, true, true, new int[] {tokens - 1}), ModelRunner.Phase.PREFILL);
                }
                yield granted;
            }
            case KvSwap.Detached d -> {
                if (d.source() != this) throw new IllegalArgumentException("the detached KV of " + sequence + " is on another engine");
                if (!detached.remove(d)) throw new IllegalStateException("the detached KV of " + sequence + " was already released");
                sequence.addBlocks(d.blockIds());
                yield new KvReservation.Granted(0);
            }
        };
    }

    /**
     * Hand-off: takes a sequence that another engine of the same model swapped out ({@link #swapOut},
     * or {@link #detach}ed, so it holds no blocks there) and swaps its KV in here; on success this
     * engine owns the sequence, which continues exactly as it would have on its first engine (same
     * tokens, sampler state and host layout), and a detached set's blocks are free again on the
     * source. Answers {@link KvReservation.NoRoom} with nothing changed (a detached set stays
     * reserved on its source, so a later call may retry) when the blocks are not free. Runs on the
     * thread that drives this engine: a host copy is written, a detached set copied engine to engine
     * ({@link Backend#copyKvBlocksFrom}: device to device on CUDA) and then freed on its source.
     *
     * @throws IllegalArgumentException when the engines' models or block sizes differ
     */
    public KvReservation adopt(Sequence sequence, KvSwap swapped) {
        InferenceEngine from = sequence.owner();
        if (from == this) return swapIn(sequence, swapped);
        if (!from.config.equals(config) || from.kv.blockSize() != kv.blockSize()) {
            throw new IllegalArgumentException(sequence + " belongs to an engine of another model or block size");
        }
        if (sequence.isFinished()) throw new IllegalStateException(sequence + " is finished");
        if (sequence.blockCount() != 0) throw new IllegalStateException(sequence + " still holds KV blocks on its engine");
        if (swapped instanceof KvSwap.Detached d) return adoptDetached(from, sequence, d);
        sequence.moveTo(this);
        KvReservation r = swapIn(sequence, swapped);
        if (!r.granted()) sequence.moveTo(from);
        return r;
    }

    private KvReservation adoptDetached(InferenceEngine from, Sequence sequence, KvSwap.Detached d) {
        if (d.source() != from) throw new IllegalArgumentException("the detached KV of " + sequence + " is not on its engine");
        if (d.cachedTokens() != sequence.cachedTokens() || kv.blocksFor(d.cachedTokens()) != d.blocks()) {
            throw new IllegalArgumentException("the swapped KV does not belong to " + sequence);
        }
        if (!from.detached.contains(d)) throw new IllegalStateException("the detached KV of " + sequence + " was already released");
        sequence.moveTo(this);
        KvReservation r = kv.reserve(List.of(sequence), new int[] {d.cachedTokens()});
        if (!r.granted()) {
            sequence.moveTo(from);
            return r;
        }
        try {
            runner.copyKvBlocksFrom(from.runner, d.blockIds(), sequence.blockTable());
        } catch (RuntimeException e) {
            kv.release(sequence); // the source still holds the KV: the caller may retry or discard it
            sequence.moveTo(from);
            throw e;
        }
        if (!from.releaseDetached(d)) { // only a caller breaking the one-thread-per-request rule gets here
            kv.release(sequence);
            sequence.moveTo(from);
            throw new IllegalStateException("the detached KV of " + sequence + " was released while being adopted");
        }
        return r;
    }

    /** Stops a sequence and frees its KV blocks; a finished or cancelled one is left as it is. */
    public void cancel(Sequence sequence) {
        if (sequence.owner() != this) throw new IllegalArgumentException(sequence + " belongs to another engine");
        if (sequence.isFinished()) return;
        sequence.finish(FinishReason.CANCELLED);
        kv.release(sequence);
    }

    /** Prefill then decode until the sequence stops; {@link StepResult.NoRoom} becomes an exception here. */
    public Generation generate(int[] promptIds, SamplingParams params) {
        Sequence s = newSequence(promptIds, params);
        long t0 = System.nanoTime();
        requireRoom(prefill(Batch.of(s)));
        long t1 = System.nanoTime();
        while (!s.isFinished()) requireRoom(decode(Batch.of(s)));
        long t2 = System.nanoTime();
        return new Generation(promptIds.clone(), s.generatedIds(), s.text(), s.finishReason(), t1 - t0, t2 - t1);
    }

    /** The logits of every position of one prompt, {@code [tokens x vocab]} row-major. */
    public float[] promptLogits(int[] promptIds) {
        Sequence s = newSequence(promptIds, SamplingParams.greedy(1));
        try {
            requireRoom(kv.reserve(List.of(s), new int[] {promptIds.length}) instanceof KvReservation.NoRoom(int n, int f)
                    ? new StepResult.NoRoom(n, f) : new StepResult.Stepped(List.of()));
            int[] rows = new int[promptIds.length];
            for (int i = 0; i < rows.length; i++) rows[i] = i;
            return runner.toHost(runner.forward(layout(List.of(s), promptIds.length, true, rows), ModelRunner.Phase.PREFILL));
        } finally {
            kv.release(s);
        }
    }

    private static void requireRoom(StepResult result) {
        if (result instanceof StepResult.NoRoom(int needed, int free)) {
            throw new IllegalStateException("KV cache full: the step needs " + needed + " more blocks, " + free + " are free");
        }
    }

    private void check(Sequence s) {
        if (s.owner() != this) throw new IllegalArgumentException(s + " belongs to another engine");
        if (s.isFinished()) throw new IllegalStateException(s + " is finished");
    }

    private static int[] lastRows(List<Sequence> seqs, int[] lengths) {
        int[] rows = new int[seqs.size()];
        int end = 0;
        for (int i = 0; i < rows.length; i++) {
            end += lengths[i];
            rows[i] = end - 1;
        }
        return rows;
    }

    /** Flattens the batch: prefill feeds whole prompts from position 0, decode each newest token. */
    private StepLayout layout(List<Sequence> seqs, int tokens, boolean prefill, int[] logitRows) {
        return layout(seqs, tokens, prefill, false, logitRows);
    }

    /** As above; {@code cachedOnly} (with prefill) feeds the cached positions again, for a recompute. */
    private StepLayout layout(List<Sequence> seqs, int tokens, boolean prefill, boolean cachedOnly, int[] logitRows) {
        int n = seqs.size();
        int[] ids = new int[tokens], positions = new int[tokens], slots = new int[tokens];
        int[] queryStart = new int[n + 1], context = new int[n];
        int maxBlocks = 1;
        for (Sequence s : seqs) maxBlocks = Math.max(maxBlocks, s.blockCount());
        int[] tables = new int[n * maxBlocks];
        Arrays.fill(tables, -1);
        int t = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = seqs.get(i);
            queryStart[i] = t;
            int from = prefill ? 0 : s.length() - 1;
            int to = cachedOnly ? s.cachedTokens() : s.length();
            for (int p = from; p < to; p++, t++) {
                ids[t] = s.tokenAt(p);
                positions[t] = p;
                slots[t] = kv.slot(s, p);
            }
            context[i] = to;
            for (int b = 0; b < s.blockCount(); b++) tables[i * maxBlocks + b] = s.block(b);
        }
        queryStart[n] = t;
        return new StepLayout(ids, positions, slots, queryStart, context, tables, maxBlocks, logitRows);
    }

    private StepResult sampleAndAdvance(List<Sequence> seqs, Tensor logits) {
        int n = seqs.size();
        double[] uniform = new double[n];
        boolean host = false;
        for (int i = 0; i < n; i++) {
            uniform[i] = seqs.get(i).nextUniform();
            host |= seqs.get(i).params().needsHostSampling();
        }
        float[] hostLogits = host || logitsObserver != null ? runner.toHost(logits) : null;
        int vocab = config.vocabSize();
        if (logitsObserver != null) {
            for (int i = 0; i < n; i++) logitsObserver.onLogits(seqs.get(i), Arrays.copyOfRange(hostLogits, i * vocab, (i + 1) * vocab));
        }
        Sampled[] picks = new Sampled[n];
        if (host) {
            // rules the device sampler lacks: the whole batch is sampled here, one implementation for every backend
            for (int i = 0; i < n; i++) {
                Sequence s = seqs.get(i);
                picks[i] = RowSampler.sample(Arrays.copyOfRange(hostLogits, i * vocab, (i + 1) * vocab), s.params(),
                        s.history(), s.constraint(), uniform[i]);
            }
        } else {
            float[] temperature = new float[n], topP = new float[n];
            int[] topK = new int[n];
            for (int i = 0; i < n; i++) {
                SamplingParams p = seqs.get(i).params();
                temperature[i] = p.temperature();
                topK[i] = p.topK();
                topP[i] = p.topP();
            }
            int[] ids = runner.sample(logits, new SamplingRows(temperature, topK, topP, uniform));
            for (int i = 0; i < n; i++) picks[i] = new Sampled(ids[i], null);
        }
        List<StepResult.TokenEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Sequence s = seqs.get(i);
            int id = picks[i].tokenId();
            FinishReason finish = StopConditions.advance(s, id, decoder);
            if (finish != null) kv.release(s);
            events.add(new StepResult.TokenEvent(s, id, finish, picks[i].logprobs()));
        }
        return new StepResult.Stepped(List.copyOf(events));
    }

    @Override
    public void close() { runner.close(); }
}
