package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.SharedKvPages;
import dev.aegaeon.scheduler.KvPaging;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.sampling.TokenTexts;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.scheduler.ModelSpec;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registered model in the worker: its config, tokenizer and memory tiers. The host cache is an
 * open {@link WeightSource} (mmapped safetensors, or generated synthetic tensors), one per model
 * whatever the number of devices; residency is per device: a {@link Replica} per pool instance, each
 * with its own {@link InferenceEngine} (weights loaded separately onto that device's backend, plus
 * the model's paged KV cache there).
 *
 * <p>Invariant, per replica: weights are on the device only while the scheduler counts the model
 * resident on that instance. A replica's engine outlives an eviction while the model has live
 * requests (their KV, on a device or swapped to host, may belong to that engine's block pool and
 * sequences, and a swapped request may be handed to it), but its weights are released; it is closed
 * when the replica is neither resident nor the model in use. Residency changes are synchronised; a
 * replica's engine is used for compute only by its instance's compute thread.
 *
 * <p>The host cache is a lease on the pool's {@link HostImages}: functions of the same synthetic
 * (shape, seed) or HF directory share one image in host memory. That sharing is host-side only:
 * this model's weights on each device, its loads, switches and KV pools are its own.
 */
final class ModelRuntime {
    final String schedulerName;
    final ModelConfig config;
    final ModelSpec spec;
    final Optional<TextTokenizer> tokenizer;
    /** Each id's text alone: for logprobs and the response_format constraint ("token_id:N" without a tokenizer). */
    final TokenTexts tokenTexts;
    final Optional<ChatTemplate> chatTemplate;
    /** Longest prompt + output a single request may have (the engine's KV pool and the context length). */
    final int maxSequenceTokens;
    private final WeightOrigin source;
    private final EngineOptions engineOptions;
    /** Each device's shared KV pages (instance order), or empty for private pools. */
    private final List<SharedKvPages> devicePages;
    private final HostImages images;

    private volatile ModelFunction function;
    private final AtomicInteger live = new AtomicInteger();
    private volatile double lastUsed;
    private volatile boolean retired;

    private WeightSource hostCache;
    /** Held while the host cache is being opened, so concurrent loads on several devices open it once. */
    private final Object opening = new Object();
    /** Loads in progress on any device; the host cache stays while one reads it. */
    private int loading;
    private final List<Replica> replicas;
    private long requests;
    private double attainmentSum;
    private long attainmentCount;

    /** The model on one device (pool instance); fields guarded by the runtime's lock unless volatile. */
    private static final class Replica {
        final Backend backend;
        volatile InferenceEngine engine;
        volatile boolean resident;
        volatile RuntimeException loadFailure;
        volatile int kvBlocksUsed;
        /** The scheduler counts this model's weights on the device (a load issued, no eviction since). */
        boolean weightsCounted;
        /** The weight copy in progress onto this device, null when none. */
        volatile LoadProgress loading;
        long switches;
        long reactivations;
        double loadSeconds;
        Instant lastSwitch;

        Replica(Backend backend) { this.backend = backend; }
    }

    /** @param backends one per pool instance, in instance order */
    ModelRuntime(ModelFunction function, String schedulerName, ModelConfig config, long weightBytes, long kvBytesPerToken,
                 Optional<TextTokenizer> tokenizer, Optional<ChatTemplate> chatTemplate, List<Backend> backends,
                 EngineOptions engineOptions, HostImages images, double now) {
        this(function, schedulerName, config, weightBytes, kvBytesPerToken, KvPaging.perToken(kvBytesPerToken), List.of(),
                tokenizer, chatTemplate, backends, engineOptions, images, now);
    }

    /**
     * @param kvPaging    how the scheduler counts this model's KV (whole pages of the device's pool)
     * @param devicePages each device's shared KV pages, in instance order, which this model's engine
     *                    there draws its blocks from; empty: every engine has a private pool of
     *                    {@code engineOptions.numBlocks()}
     */
    ModelRuntime(ModelFunction function, String schedulerName, ModelConfig config, long weightBytes, long kvBytesPerToken,
                 KvPaging kvPaging, List<SharedKvPages> devicePages,
                 Optional<TextTokenizer> tokenizer, Optional<ChatTemplate> chatTemplate, List<Backend> backends,
                 EngineOptions engineOptions, HostImages images, double now) {
        this.function = function;
        this.schedulerName = schedulerName;
        this.config = config;
        this.spec = new ModelSpec(schedulerName, weightBytes, kvBytesPerToken, kvPaging);
        this.devicePages = List.copyOf(devicePages);
        this.tokenizer = tokenizer;
        this.tokenTexts = new TokenTexts(config.vocabSize(), tokenizer.<java.util.function.IntFunction<String>>map(
                t -> id -> t.decode(new int[] {id}, false)).orElse(id -> "token_id:" + id));
        this.chatTemplate = chatTemplate;
        this.source = function.source();
        this.replicas = backends.stream().map(Replica::new).toList();
        this.engineOptions = engineOptions;
        this.images = images;
        this.maxSequenceTokens = Math.min(config.maxPositionEmbeddings(),
                (engineOptions.numBlocks() - 1) * engineOptions.blockSize());
        this.lastUsed = now;
    }

    ModelFunction function() { return function; }

    /** Blocks in this model's engine KV pool on each device (fixed; all usable). */
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
     * Makes the model resident on {@code instance}: opens the host cache if needed, builds that
     * device's engine if none or reloads the weights of one kept through an eviction. The slow part
     * (reading or generating weights) runs outside the lock, so a compute thread never waits on a
     * load to finalise a request. Only loads that copied weights count as switches. Runs on the
     * instance's copy thread.
     */
    LoadOutcome load(int instance) {
        Replica r = replicas.get(instance);
        long t0 = System.nanoTime();
        try {
            WeightSource cache;
            synchronized (this) {
                loading++;
                cache = hostCache;
            }
            if (cache == null) {
                // Single flight: devices loading the model at once share one host image instead of
                // each generating (or mapping) the weights. Not the runtime's lock: compute threads
                // finalising requests must not wait behind a load.
                synchronized (opening) {
                    boolean missing;
                    synchronized (this) {
                        missing = hostCache == null;
                    }
                    if (missing) {
                        WeightSource opened = images.acquire(source, config);
                        synchronized (this) {
                            hostCache = opened;
                        }
                    }
                }
            }
            boolean transferred;
            synchronized (this) {
                InferenceEngine e = r.engine;
                transferred = e == null || !e.weightsResident();
                WeightSource weights = hostCache;
                if (transferred) {
                    r.loading = new LoadProgress(name(), LoadProgress.Phase.LOAD, instance, ProgressWeights.totalBytes(hostCache));
                    weights = new ProgressWeights(hostCache, r.loading);
                }
                if (e == null) {
                    r.engine = new InferenceEngine(config, weights, r.backend,
                            devicePages.isEmpty() ? engineOptions : engineOptions.withPages(devicePages.get(instance)));
                    if (tokenizer.isPresent()) r.engine.setTokenTexts(tokenTexts);
                }
                else e.reloadWeights(weights); // an engine kept for its requests' KV: weights back
            }
            // Copies may still be in flight (CUDA queues them on the load stream): wait here, on the
            // device's copy thread and outside the lock, so "loaded" is true and the seconds measured
            // are the switch's real cost, not the enqueue time (the H100 run learned 12 ms loads).
            if (transferred) {
                r.backend.awaitWeightLoads();
                r.loading.finished();
            }
            synchronized (this) {
                r.loadFailure = null;
                double seconds = (System.nanoTime() - t0) / 1e9;
                r.resident = true;
                if (transferred) {
                    r.switches++;
                    r.loadSeconds += seconds;
                } else {
                    r.reactivations++;
                }
                r.lastSwitch = Instant.now();
                return new LoadOutcome(seconds, transferred);
            }
        } catch (RuntimeException e) {
            r.loadFailure = e;
            throw e;
        } catch (Error e) { // e.g. OutOfMemoryError: the replica is unusable all the same, and its callers must hear why
            r.loadFailure = new IllegalStateException(e.toString(), e);
            throw e;
        } finally {
            r.loading = null;
            synchronized (this) {
                loading--;
            }
        }
    }

    /**
     * The scheduler dropped the weights on {@code instance} and stopped counting their bytes, so they
     * really leave that device: its engine is closed, or, while live requests may still hold KV in it
     * (on the device or swapped to host), it keeps only its KV pool and sequences and the weights are
     * released. The next load copies them again, a real transfer the cost model may learn from.
     */
    /**
     * The scheduler issued a load of this model on {@code instance} (true) or evicted it (false): its
     * weight bytes are set aside from, or returned to, the device's shared KV pages at once, as the
     * scheduler's memory counts them. No-op without shared pages. The scheduler's thread.
     */
    synchronized void countWeights(int instance, boolean resident) {
        if (devicePages.isEmpty()) return;
        Replica r = replicas.get(instance);
        if (r.weightsCounted == resident) return;
        r.weightsCounted = resident;
        devicePages.get(instance).addOtherBytes(resident ? spec.weightBytes() : -spec.weightBytes());
    }

    /**
     * The scheduler evicted this model from {@code instance}: from now on it is not resident there and
     * its weights are not counted. The returned work frees the device memory: it closes the engine, or,
     * while live requests keep their KV in it, releases only the weights. The caller runs it on the
     * device's copy thread, in order with the loads, so the scheduler's thread never waits for the
     * device (a release waits for queued steps and copies) and a load queued after it finds the
     * memory free.
     */
    synchronized Runnable evict(int instance) {
        countWeights(instance, false);
        Replica r = replicas.get(instance);
        r.resident = false;
        InferenceEngine e = r.engine;
        if (e == null) return () -> {};
        if (live.get() == 0) {
            r.engine = null;
            r.kvBlocksUsed = 0;
            return e::close;
        }
        return e::releaseWeights;
    }

    /**
     * WARM -> COLD: drops this model's lease on its host image when no device uses it (the image
     * itself closes when no other model leases it). True when dropped.
     */
    synchronized boolean dropHostCache() {
        if (hostCache == null || loading > 0) return false;
        for (Replica r : replicas) if (r.engine != null) return false;
        hostCache.close();
        hostCache = null;
        return true;
    }

    private void closeEngineIfUnused(Replica r) {
        if (!r.resident && live.get() == 0 && r.engine != null) {
            r.engine.close();
            r.engine = null;
            r.kvBlocksUsed = 0;
        }
    }

    /** The engine for a compute step on {@code instance}; the scheduler only runs steps on loaded models. */
    InferenceEngine engineForCompute(int instance) {
        Replica r = replicas.get(instance);
        InferenceEngine e = r.engine;
        if (e != null) return e;
        RuntimeException failure = r.loadFailure;
        if (failure != null) throw new IllegalStateException("model " + name() + " failed to load: " + failure.getMessage(), failure);
        throw new IllegalStateException("model " + name() + " is not loaded on device " + instance);
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
        for (Replica r : replicas) {
            InferenceEngine e = r.engine;
            if (e != null) r.kvBlocksUsed = e.usedBlocks();
            closeEngineIfUnused(r);
        }
        if (retired && live.get() == 0) closeAll();
    }

    /** Refreshes the KV gauge of the device that runs {@code e}; its compute thread, after a step or swap. */
    void noteKv(InferenceEngine e) {
        for (Replica r : replicas) {
            if (r.engine == e) r.kvBlocksUsed = e.usedBlocks();
        }
    }

    int live() { return live.get(); }

    double lastUsed() { return lastUsed; }

    /** Resident on at least one device. */
    boolean resident() {
        for (Replica r : replicas) if (r.resident) return true;
        return false;
    }

    /** True while this model's weights occupy a backend. */
    synchronized boolean weightsOnDevice() {
        for (Replica r : replicas) {
            InferenceEngine e = r.engine;
            if (e != null && e.weightsResident()) return true;
        }
        return false;
    }

    /**
     * Device bytes this model holds on {@code instance}: its weights while resident, and its engine's
     * KV pool (a private pool whole; with shared pages, the pages its sequences hold now).
     */
    long deviceBytes(int instance, int blockSize) {
        Replica r = replicas.get(instance);
        InferenceEngine e = r.engine;
        if (e == null) return 0;
        long kv = devicePages.isEmpty() ? (long) e.totalBlocks() * blockSize * spec.kvBytesPerToken()
                : (long) e.usedBlocks() * devicePages.get(instance).pageBytes();
        return (r.resident ? spec.weightBytes() : 0) + kv;
    }

    /** The weight copies in progress onto devices, in device order. */
    java.util.List<LoadProgress.Snapshot> loadProgress() {
        java.util.List<LoadProgress.Snapshot> out = new java.util.ArrayList<>();
        for (Replica r : replicas) {
            LoadProgress p = r.loading;
            if (p != null) out.add(p.snapshot());
        }
        return out;
    }

    /** Its weights are in host memory (WARM or above). */
    synchronized boolean hostCached() { return hostCache != null; }

    /** KV blocks this model's sequences hold on device {@code instance}. */
    int kvBlocksUsed(int instance) { return replicas.get(instance).kvBlocksUsed; }

    /** Unregistered: close everything once the last request is gone. */
    synchronized void retire() {
        retired = true;
        if (live.get() == 0) closeAll();
    }

    synchronized void closeAll() {
        for (int i = 0; i < replicas.size(); i++) countWeights(i, false);
        for (Replica r : replicas) {
            r.resident = false;
            if (r.engine != null) r.engine.close();
            r.engine = null;
            r.kvBlocksUsed = 0;
        }
        if (hostCache != null) hostCache.close();
        hostCache = null;
    }

    /** Summed over devices: KV blocks, pools, switches and load seconds; the latest switch anywhere. */
    synchronized ModelStatus status(int running, int waiting) {
        boolean resident = resident();
        ModelState state = live.get() > 0 ? ModelState.ACTIVE
                : resident ? ModelState.HOT : hostCache != null ? ModelState.WARM : ModelState.COLD;
        long used = 0, total = 0, switches = 0, reactivations = 0;
        double loadSeconds = 0;
        Instant lastSwitch = null;
        boolean heldAfterEviction = false;
        for (Replica r : replicas) {
            InferenceEngine e = r.engine;
            used += r.kvBlocksUsed;
            total += e == null ? 0 : e.totalBlocks();
            switches += r.switches;
            reactivations += r.reactivations;
            loadSeconds += r.loadSeconds;
            if (r.lastSwitch != null && (lastSwitch == null || r.lastSwitch.isAfter(lastSwitch))) lastSwitch = r.lastSwitch;
            heldAfterEviction |= e != null && !r.resident;
        }
        return new ModelStatus(name(), state, running, waiting, used, total, switches, loadSeconds, Optional.ofNullable(lastSwitch),
                attainmentCount == 0 ? Double.NaN : attainmentSum / attainmentCount, requests, reactivations, heldAfterEviction);
    }
}
