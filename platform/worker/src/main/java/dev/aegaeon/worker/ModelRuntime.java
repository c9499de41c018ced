package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.scheduler.ModelSpec;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registered model in the worker: its config, tokenizer and memory tiers. The host cache is an
 * open {@link WeightSource} (mmapped safetensors, or generated synthetic tensors); residency is an
 * {@link InferenceEngine} (weights on the backend plus the model's paged KV cache).
 *
 * <p>Invariant: weights are on the device only while the scheduler counts the model resident. The
 * engine itself outlives an eviction while the model has live requests, because their KV (on the
 * device or swapped to host) belongs to its block pool and sequences, but its weights are released;
 * it is closed when the model is neither resident nor in use. Residency changes are synchronised; the
 * engine is used for compute only by the executor's compute thread.
 *
 * <p>The host cache is a lease on the pool's {@link HostImages}: functions of the same synthetic
 * (shape, seed) or HF directory share one image in host memory. That sharing is host-side only:
 * this model's weights on the device, its loads, switches and KV pool are its own.
 */
final class ModelRuntime {
    final String schedulerName;
    final ModelConfig config;
    final ModelSpec spec;
    final Optional<TextTokenizer> tokenizer;
    final Optional<ChatTemplate> chatTemplate;
    /** Longest prompt + output a single request may have (the engine's KV pool and the context length). */
    final int maxSequenceTokens;
    private final ModelSource source;
    private final Backend backend;
    private final EngineOptions engineOptions;
    private final HostImages images;

    private volatile ModelFunction function;
    private final AtomicInteger live = new AtomicInteger();
    private volatile double lastUsed;
    private volatile boolean retired;

    private WeightSource hostCache;
    private volatile InferenceEngine engine;
    private volatile boolean resident;
    private boolean loading;
    private volatile RuntimeException loadFailure;
    private long switches;
    private long reactivations;
    private double loadSeconds;
    private Instant lastSwitch;
    private long requests;
    volatile int kvBlocksUsed;
    private double attainmentSum;
    private long attainmentCount;

    ModelRuntime(ModelFunction function, String schedulerName, ModelConfig config, long weightBytes, long kvBytesPerToken,
                 Optional<TextTokenizer> tokenizer, Optional<ChatTemplate> chatTemplate, Backend backend,
                 EngineOptions engineOptions, HostImages images, double now) {
        this.function = function;
        this.schedulerName = schedulerName;
        this.config = config;
        this.spec = new ModelSpec(schedulerName, weightBytes, kvBytesPerToken);
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.source = function.source();
        this.backend = backend;
        this.engineOptions = engineOptions;
        this.images = images;
        this.maxSequenceTokens = Math.min(config.maxPositionEmbeddings(),
                (engineOptions.numBlocks() - 1) * engineOptions.blockSize());
        this.lastUsed = now;
    }

    ModelFunction function() { return function; }

    /** Blocks in this model's engine KV pool (fixed; all usable). */
    int kvBlocks() { return engineOptions.numBlocks(); }

    /** Blocks a sequence of {@code tokens} positions occupies in this model's pool. */
    int kvBlocksFor(int tokens) { return (tokens + engineOptions.blockSize() - 1) / engineOptions.blockSize(); }

    void update(ModelFunction f) { this.function = f; }

    String name() { return function.name(); }

    // ---------------------------------------------------------------- tiers

    /**
     * What a load did. {@code transferred} is false for a re-activation: the weights were still
     * resident (a load of a model that was never evicted), so nothing was read, generated or copied
     * and {@code seconds} says nothing about what a load costs.
     */
    record LoadOutcome(double seconds, boolean transferred) {}

    /**
     * Makes the model resident: opens the host cache if needed, builds the engine if none or
     * reloads the weights of one kept through an eviction. The slow
     * part (reading or generating weights) runs outside the lock, so the compute thread never waits
     * on a load to finalise a request. Only loads that copied weights count as switches.
     */
    LoadOutcome load() {
        long t0 = System.nanoTime();
        try {
            WeightSource cache;
            synchronized (this) {
                loading = true;
                cache = hostCache;
            }
            if (cache == null) {
                WeightSource opened = images.acquire(source, config);
                synchronized (this) {
                    if (hostCache == null) hostCache = opened;
                    else opened.close();
                }
            }
            synchronized (this) {
                boolean transferred = engine == null || !engine.weightsResident();
                if (engine == null) engine = new InferenceEngine(config, hostCache, backend, engineOptions);
                else engine.reloadWeights(hostCache); // an engine kept for its requests' KV: weights back

                loadFailure = null;
                double seconds = (System.nanoTime() - t0) / 1e9;
                resident = true;
                if (transferred) {
                    switches++;
                    loadSeconds += seconds;
                } else {
                    reactivations++;
                }
                lastSwitch = Instant.now();
                return new LoadOutcome(seconds, transferred);
            }
        } catch (RuntimeException e) {
            loadFailure = e;
            throw e;
        } finally {
            synchronized (this) {
                loading = false;
            }
        }
    }

    /**
     * The scheduler dropped the weights and stopped counting their bytes, so they really leave the
     * device: the engine is closed, or, while live requests still hold KV in it (on the device or
     * swapped to host), it keeps only its KV pool and sequences and the weights are released. The
     * next load copies them again, a real transfer the cost model may learn from.
     */
    synchronized void evict() {
        resident = false;
        closeEngineIfUnused();
        if (engine != null) engine.releaseWeights();
    }

    /**
     * WARM -> COLD: drops this model's lease on its host image when nothing on the device uses it
     * (the image itself closes when no other model leases it). True when dropped.
     */
    synchronized boolean dropHostCache() {
        if (engine != null || hostCache == null || loading) return false;
        hostCache.close();
        hostCache = null;
        return true;
    }

    private void closeEngineIfUnused() {
        if (!resident && live.get() == 0 && engine != null) {
            engine.close();
            engine = null;
            kvBlocksUsed = 0;
        }
    }

    /** The engine for a compute step; the scheduler only runs steps on loaded models. */
    InferenceEngine engineForCompute() {
        InferenceEngine e = engine;
        if (e != null) return e;
        RuntimeException failure = loadFailure;
        if (failure != null) throw new IllegalStateException("model " + name() + " failed to load: " + failure.getMessage(), failure);
        throw new IllegalStateException("model " + name() + " is not loaded");
    }

    // ---------------------------------------------------------------- traffic

    synchronized void requestStarted(double now) {
        live.incrementAndGet();
        requests++;
        lastUsed = now;
    }

    /** Called once per accepted request, after its KV was released. */
    synchronized void requestEnded(double now, double sloScore) {
        live.decrementAndGet();
        lastUsed = now;
        if (!Double.isNaN(sloScore)) {
            attainmentSum += sloScore;
            attainmentCount++;
        }
        InferenceEngine e = engine;
        if (e != null) kvBlocksUsed = e.totalBlocks() - e.freeBlocks();
        closeEngineIfUnused();
        if (retired && live.get() == 0) closeAll();
    }

    /** Refreshes the KV gauge; compute thread, after a step. */
    void noteKv(InferenceEngine e) {
        kvBlocksUsed = e.totalBlocks() - e.freeBlocks();
    }

    int live() { return live.get(); }

    double lastUsed() { return lastUsed; }

    boolean resident() { return resident; }

    /** True while this model's weights occupy the backend. */
    synchronized boolean weightsOnDevice() {
        InferenceEngine e = engine;
        return e != null && e.weightsResident();
    }

    /** Unregistered: close everything once the last request is gone. */
    synchronized void retire() {
        retired = true;
        if (live.get() == 0) closeAll();
    }

    synchronized void closeAll() {
        resident = false;
        if (engine != null) engine.close();
        engine = null;
        kvBlocksUsed = 0;
        if (hostCache != null) hostCache.close();
        hostCache = null;
    }

    synchronized ModelStatus status(int running, int waiting) {
        ModelState state = live.get() > 0 ? ModelState.ACTIVE
                : resident ? ModelState.HOT : hostCache != null ? ModelState.WARM : ModelState.COLD;
        InferenceEngine e = engine;
        return new ModelStatus(name(), state, running, waiting, kvBlocksUsed, e == null ? 0 : e.totalBlocks(), switches,
                loadSeconds, Optional.ofNullable(lastSwitch), attainmentCount == 0 ? Double.NaN : attainmentSum / attainmentCount,
                requests, reactivations, e != null && !resident);
    }
}
