package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.SharedKvPages;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.PoolScheduler;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import dev.aegaeon.worker.timeline.TimelineRecorder;

/**
 * The worker's API: model functions served on the pool's devices through the real token-level
 * scheduler (or, with {@link PoolPolicy#REQUEST_LEVEL}, the request-level baseline).
 * Models are registered and unregistered at run time; {@link #submit} queues a request and returns
 * at once; tokens reach the request's {@link TokenSink} from the worker's compute thread. Idle
 * models decay HOT -> WARM -> COLD after their functions' idle times unless {@code minScale} is 1.
 *
 * <p>Thread-safe. Inside: one {@link DeviceInstance} per device ({@link PoolOptions#devices()}: one
 * scheduler instance each, colocated or prefill/decode), a {@link SchedulerLoop} over all of them, an
 * {@link EngineExecutor} that runs each decision on its device, and one {@link ModelRuntime} per
 * model with an engine per device where it is resident. In disaggregated mode each request's KV is
 * handed from its prefill device to its decode device through host memory; {@link #handoffStats()}
 * times those hand-offs. A model's scheduler name carries a registration number, so re-registering
 * a name with another source never mixes the two.
 *
 * <p>Models whose sources are equal (one synthetic shape and seed, or one HF directory) share one
 * weight image in host memory ({@link HostImages}, reference-counted). Sharing is host-side only:
 * the devices treat them as distinct models, each with its own weight copies, loads, switches and KV.
 */
public final class ModelPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelPool.class.getName());

    private final PoolOptions options;
    private final Clock clock;
    private final List<DeviceInstance> devices;
    private final HandoffStats handoffs = new HandoffStats();
    private final MeasuredCostModel cost = new MeasuredCostModel();
    private final Map<String, ModelRuntime> byName = new ConcurrentHashMap<>();
    private final Map<String, ModelRuntime> bySchedulerName = new ConcurrentHashMap<>();
    private final Map<Long, LiveRequest> requests = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong();
    private final AtomicLong nextRegistration = new AtomicLong();
    private final HostImages hostImages = new HostImages();
    /** Downloads reported through {@link #trackDownload}, by function name. */
    private final Map<String, LoadProgress> downloads = new ConcurrentHashMap<>();
    private final EngineExecutor executor;
    private final SchedulerLoop loop;
    private final ScheduledExecutorService ticker;
    private final SloLedgers ledgers = new SloLedgers();
    /** Where the engines keep their KV: one shared page pool per device, or fixed pools. */
    private final KvPools kvPools;
    /**
     * Keeps each model's requests within its engine's KV pool (a fixed pool, or the optional cap on
     * shared pages: uncapped models on shared pages are never held here); touched only on the loop's thread.
     * With several devices the gate still holds one pool per model: the scheduler picks a
     * request's prefill device at arrival and its decode device only at hand-off, so the only bound
     * that holds on whichever device's engine ends up with it is that all of a model's admitted
     * requests fit one pool.
     */
    private final KvAdmission admission = new KvAdmission();
    private final PoolLimits limits;
    private SyntheticTokenizerFiles syntheticTokenizer;
    private volatile boolean closed;

    public ModelPool(PoolOptions options) {
        this.options = options;
        this.limits = new PoolLimits(options);
        this.clock = options.clock();
        this.devices = PoolDevices.open(options);
        this.kvPools = new KvPools(options, devices);
        this.executor = new EngineExecutor(bySchedulerName::get, requests, event -> loop().post(event), cost, clock::now,
                devices, handoffs, options.peerHandoff(), TimelineRecorder.forDevices(
                        devices.stream().map(d -> d.spec.role().name().toLowerCase(java.util.Locale.ROOT)).toList()), options.kvSwapBytes());
        this.loop = new SchedulerLoop(clock, cost, devices.stream().map(d -> d.spec).toList(),
                options.scheduler(), options.policy(), ledgers, executor, this::ended, options.stallAfter().toNanos() / 1e9);
        if (options.tickInterval().isZero()) {
            this.ticker = null;
        } else {
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "aegaeon-idle-decay");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, options.tickInterval().toMillis());
            ticker.scheduleWithFixedDelay(this::tickQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private SchedulerLoop loop() { return loop; }

    /** The scheduling policy the device runs. */
    public PoolPolicy policy() { return options.policy(); }

    /** The backend serving the models, e.g. "cpu". */
    public String backendName() { return devices.getFirst().backend.name(); }

    /** Devices the pool spans (scheduler instances). */
    public int deviceCount() { return devices.size(); }

    /** Colocated or disaggregated. */
    public DeviceLayout.Mode mode() { return options.devices().mode(); }

    /** Each device's role and busy seconds, in instance order. */
    public List<InstanceStats> instanceStats() { return devices.stream().map(DeviceInstance::stats).toList(); }

    /**
     * KV hand-offs from prefill to decode devices (disaggregated mode; always empty when colocated):
     * one per request that decoded after its prefill, timed from prefill done to KV resident.
     */
    public HandoffStats.Summary handoffStats() { return handoffs.summary(); }

    /** The KV copies alone of those hand-offs: seconds each request's KV spent moving between devices. */
    public HandoffStats.Summary handoffCopyStats() { return handoffs.copySummary(); }

    // ---------------------------------------------------------------- registration

    /**
     * Makes a model servable. Reads its config and tokenizer now (cheap); weights load when the
     * scheduler first needs them, or at once when {@code minScale} is 1. Registering a name again
     * with the same source updates its SLO and scaling; with another source it replaces the model
     * (the old one's requests are cancelled).
     *
     * @throws IllegalArgumentException naming the problem when the source cannot be used
     */
    public synchronized ModelStatus register(ModelFunction function) {
        requireOpen();
        ModelRuntime old = byName.get(function.name());
        if (old != null && old.function().source().equals(function.source())) {
            old.update(function);
            if (function.minScale() == 1) loop.call(s -> s.preload(old.schedulerName)).join();
            return status(function.name());
        }
        if (old != null) unregister(function.name());
        ModelRuntime m = open(function);
        try {
            limits.checkRegistration(m, byName.values());
        } catch (IllegalArgumentException e) {
            m.closeAll();
            throw e;
        }
        bySchedulerName.put(m.schedulerName, m);
        byName.put(function.name(), m);
        loop.call(s -> {
            s.addModel(m.spec);
            admission.addModel(m.schedulerName, kvPools.admissionBlocks(m));
            ledgers.addModel(m.schedulerName);
            return function.minScale() == 1 ? s.preload(m.schedulerName) : List.of();
        }).join();
        return status(function.name());
    }

    /** Forgets a model: its requests are cancelled (each sink gets CANCELLED) and its memory is freed once they end. */
    public synchronized void unregister(String name) {
        ModelRuntime m = byName.remove(name);
        if (m == null) return;
        for (LiveRequest r : List.copyOf(requests.values())) if (r.model == m) r.cancel();
        loop.call(s -> s.evictIdle(m.schedulerName)).join();
        m.retire();
    }

    public List<String> models() { return List.copyOf(byName.keySet()); }

    public ModelConfig config(String name) { return require(name).config; }

    public Optional<TextTokenizer> tokenizer(String name) { return require(name).tokenizer; }

    public Optional<ChatTemplate> chatTemplate(String name) { return require(name).chatTemplate; }

    /** Longest prompt plus output one request of this model may have. */
    public int maxSequenceTokens(String name) { return require(name).maxSequenceTokens; }

    // ---------------------------------------------------------------- requests

    /**
     * Queues a request; returns at once. The model's EOS ids always stop it; stop strings in
     * {@code params} are matched on the decoded text (the engine itself sees none).
     *
     * @throws NoSuchElementException   when no model has that name
     * @throws IllegalArgumentException when the prompt or parameters cannot be served (empty prompt,
     *                                  an id outside the vocabulary, prompt + max tokens over the model's limit)
     */
    public RequestHandle submit(String model, int[] promptIds, SamplingParams params, TokenSink sink) {
        requireOpen();
        ModelRuntime m = require(model);
        limits.checkRequest(m, promptIds, params);
        Set<Integer> stopIds = new LinkedHashSet<>(params.stopTokenIds());
        stopIds.addAll(m.config.eosTokenIds());
        SamplingParams engineParams = params.withStopTokenIds(List.copyOf(stopIds)).withStopStrings(List.of());
        long id = nextRequestId.incrementAndGet();
        LiveRequest r = new LiveRequest(id, m, promptIds.clone(), engineParams, sink,
                new TextStream(m.tokenizer.orElse(null), params.stopStrings()), this::cancel);
        requests.put(id, r);
        double now = clock.now();
        m.requestStarted(now);
        RequestSpec spec = new RequestSpec(id, m.schedulerName, promptIds.length, params.maxTokens(), now, m.function().slo());
        int blocks = m.kvBlocksFor(promptIds.length + params.maxTokens());
        // The arrival time stays the submit time: waiting for KV room counts against the request's SLO.
        arrive(id, s -> {
            ledgers.expect(spec);
            return admission.offer(spec, blocks) ? s.handle(new Event.Arrival(spec)) : List.of();
        });
        return r;
    }

    /** Runs an arrival on the loop; a request the scheduler refuses ends REJECTED and frees its place. */
    private void arrive(long id, Function<PoolScheduler, List<Decision>> action) {
        loop.call(action).exceptionally(e -> {
            LOG.log(System.Logger.Level.ERROR, "request " + id + " was not accepted by the scheduler", e);
            loop.call(s -> {
                ended(id, RequestState.REJECTED);
                return List.of();
            });
            return null;
        });
    }

    /** A request still waiting for KV room ends here; one the scheduler holds is cancelled through it. */
    private void cancel(long id) {
        loop.call(s -> {
            if (!admission.isWaiting(id)) return s.handle(new Event.Cancel(id));
            ended(id, RequestState.CANCELLED);
            return List.of();
        });
    }

    /** Called on the loop's thread for every request that ended; its KV room goes to the next waiting ones. */
    private void ended(long id, RequestState state) {
        executor.finalizeRequest(id, state, ledgers.end(id, clock.now()));
        for (RequestSpec next : admission.release(id)) arrive(next.id(), s -> s.handle(new Event.Arrival(next)));
    }

    // ---------------------------------------------------------------- status and idle decay

    public ModelStatus status(String name) {
        ModelRuntime m = require(name);
        int running = 0, waiting = 0;
        for (LiveRequest r : requests.values()) {
            if (r.model != m) continue;
            if (r.prefilled) running++;
            else waiting++;
        }
        return m.status(running, waiting);
    }

    /** Seconds the device spent running prefill and decode steps, ever (divide by wall time for the busy share). */
    public double busySeconds() { return executor.busySeconds(); }

    /** Seconds spent in loads that copied weights onto the device, ever (may overlap steps). */
    public double loadSeconds() { return executor.loadSeconds(); }

    /** Seconds spent swapping KV between device and host, ever. */
    public double swapSeconds() { return executor.swaps().seconds(); }

    /** Loads that copied weights onto the device, ever, all models (including ones since unregistered). */
    public long switches() { return executor.switches(); }

    /** All of the pool's counters at once. */
    public PoolStats stats() {
        return new PoolStats(policy(), backendName(), byName.size(), busySeconds(), loadSeconds(), swapSeconds(),
                executor.freeSeconds(), switches(),
                kvSwaps(), openHostImages(), stalls(), kvRecomputes(), kvSwapHostBytes());
    }

    /**
     * Transfers of function {@code name}'s weights in progress: copies onto devices, and downloads
     * reported through {@link #trackDownload}. Empty when none.
     */
    public List<LoadProgress.Snapshot> loadProgress(String name) {
        List<LoadProgress.Snapshot> out = new java.util.ArrayList<>();
        LoadProgress d = downloads.get(name);
        if (d != null) out.add(d.snapshot());
        ModelRuntime m = byName.get(name);
        if (m != null) out.addAll(m.loadProgress());
        return out;
    }

    /**
     * The hook for a model fetcher: a download of {@code totalBytes} for function {@code name}
     * starts, {@code presentBytes} of them already in place (reused or resumed); advance the
     * returned progress as bytes arrive, and close the returned handle when it ends (either way).
     * Until then {@link #loadProgress} shows its percent and rate.
     */
    public Download trackDownload(String name, long totalBytes, long presentBytes) {
        LoadProgress p = new LoadProgress(name, LoadProgress.Phase.DOWNLOAD, -1, totalBytes, presentBytes);
        downloads.put(name, p);
        return new Download(p, () -> {
            downloads.remove(name, p);
            p.finished();
        });
    }

    /** A download in progress: {@link #progress()} to advance, close when it ends. */
    public record Download(LoadProgress progress, Runnable onClose) implements AutoCloseable {
        @Override public void close() { onClose.run(); }
    }

    /** What each device did recently (steps, loads, swaps per model, in time buckets), and which models it holds. */
    public TimelineRecorder timeline() { return executor.timeline(); }

    /** The host-memory budget for weight images ({@link PoolOptions#hostMemoryBytes()}). */
    public long hostMemoryBudgetBytes() { return options.hostMemoryBytes(); }

    /** Device memory each device has for weights and KV, by the pool's accounting. */
    public long deviceMemoryBytes() { return options.memoryBytes(); }

    /** Bytes of device memory in use on device {@code instance}: resident weights plus allocated KV pools. */
    public long deviceBytesInUse(int instance) {
        long total = 0;
        for (ModelRuntime m : bySchedulerName.values()) total += m.deviceBytes(instance, options.blockSize());
        return total;
    }

    /** Bytes of weights held in host memory (each shared image counted once). */
    public long hostCacheBytes() {
        Map<WeightOrigin, Long> images = new HashMap<>();
        for (ModelRuntime m : bySchedulerName.values()) if (m.hostCached()) images.put(m.function().source(), m.spec.weightBytes());
        return images.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Times an instance with requests to serve went silent past {@link PoolOptions#stallAfter()}, ever. */
    public long stalls() { return loop.stalls(); }

    /** Weight images open in host memory, each counted once however many models share it. */
    public int openHostImages() { return hostImages.openImages(); }

    /** Sequences whose KV was swapped out to host memory, ever (all models). */
    public long kvSwaps() { return executor.swaps().swapOuts(); }

    /** Swap-outs that dropped the KV for recompute (the host budget for swapped KV was spent). */
    public long kvRecomputes() { return executor.swaps().recomputes(); }

    /** Host bytes held now by swapped-out KV (bounded by aegaeon.pool.kv-swap-bytes per device). */
    public long kvSwapHostBytes() { return executor.swaps().swappedHostBytes(); }

    /**
     * Scale-to-zero, now: every idle model (no live request, minScale 0) idle for its
     * {@code idleToWarm} leaves the device, and for its {@code idleToCold} the host cache too.
     * Also queues a stall check ({@link PoolOptions#stallAfter()}).
     * Runs by itself every {@link PoolOptions#tickInterval()}; tests with an injected clock call it.
     */
    public synchronized void tick() {
        loop.checkStalls();
        double now = clock.now();
        for (ModelRuntime m : byName.values()) {
            ModelFunction f = m.function();
            if (f.minScale() == 1 || m.live() > 0) continue;
            try {
                double idle = now - m.lastUsed();
                if (m.resident() && idle >= seconds(f.idleToWarm())) loop.call(s -> s.evictIdle(m.schedulerName)).join();
                if (!m.resident() && idle >= seconds(f.idleToCold())) m.dropHostCache();
            } catch (RuntimeException e) { // one model's failure must not stop the others' decay
                LOG.log(System.Logger.Level.WARNING, "idle decay of " + f.name() + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Any duration in seconds, without the overflow of {@link Duration#toNanos()} (which throws past 292 years). */
    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private void tickQuietly() {
        try {
            if (!closed) tick();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "idle decay failed: " + e.getMessage(), e);
        }
    }

    /** Cancels every open request (each sink gets its terminal call), stops the threads, frees all memory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (ticker != null) ticker.shutdownNow();
        loop.close();
        executor.close();
        for (ModelRuntime m : bySchedulerName.values()) m.closeAll();
        if (syntheticTokenizer != null) syntheticTokenizer.close();
        for (DeviceInstance d : devices) d.closeBackend();
    }

    // ---------------------------------------------------------------- internals

    /**
     * The shared KV pages of device {@code instance}, for an auditor (every page free once no
     * request is live); empty where each engine has a fixed pool.
     */
    Optional<SharedKvPages> kvPages(int instance) {
        return kvPools.device(instance);
    }

    /** KV blocks model {@code name}'s sequences hold on device {@code instance} (detached hand-offs included). */
    int kvBlocksUsed(String name, int instance) { return require(name).kvBlocksUsed(instance); }

    private ModelRuntime require(String name) {
        ModelRuntime m = byName.get(name);
        if (m == null) throw new NoSuchElementException("no model named '" + name + "' is registered");
        return m;
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the model pool is closed");
    }

    private ModelRuntime open(ModelFunction f) {
        SourceFiles src = SourceFiles.read(f, this::syntheticTokenizer);
        // KV as the devices store it (bf16 on CUDA), so the scheduler and the pages count what is there.
        int kvElement = devices.stream().mapToInt(d -> d.backend.kvBytesPerElement()).max().orElse(Float.BYTES);
        long kvBytesPerToken = ModelSizes.kvBytesPerToken(f.name(), src.config(), kvElement);
        KvPools.ModelKv kv = kvPools.forModel(kvBytesPerToken);
        String schedulerName = f.name() + "#" + nextRegistration.incrementAndGet();
        return new ModelRuntime(f, schedulerName, src.config(), Math.max(1, src.weightBytes()), kvBytesPerToken, kv.paging(),
                kvPools.devicePages(), src.tokenizer(), src.template(), devices.stream().map(d -> d.backend).toList(), kv.engine(),
                hostImages, clock.now());
    }

    /** The synthetic tokenizer, written once per pool; null when the tokenizer library cannot load here. */
    private SyntheticTokenizerFiles syntheticTokenizer() {
        if (syntheticTokenizer == null) {
            try {
                syntheticTokenizer = SyntheticTokenizerFiles.create();
            } catch (RuntimeException | LinkageError e) { // LinkageError: the tokenizer's native library or jar is missing here
                LOG.log(System.Logger.Level.WARNING, "synthetic models will have no tokenizer: " + e, e);
                return null;
            }
        }
        return syntheticTokenizer;
    }
}
