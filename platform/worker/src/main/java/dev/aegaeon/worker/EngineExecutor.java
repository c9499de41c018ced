package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.Batch;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.Sequence;
import dev.aegaeon.runtime.engine.StepResult;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.Executor;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.RequestState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import dev.aegaeon.worker.timeline.SpanKind;
import dev.aegaeon.worker.timeline.TimelineRecorder;

/**
 * Executes the scheduler's decisions on inference engines (see {@link Executor} for the contract),
 * each on the {@link DeviceInstance} the decision names. Compute decisions, KV swaps and request
 * finalisation run in order on that device's compute thread, which alone touches the engines and
 * block pools of that device; loads run on the device's copy thread so a model can be fetched
 * while another decodes; an eviction takes effect at once in what the model counts, and its memory
 * is freed on the copy thread, in order with the loads (never a wait on the scheduler's thread).
 * A request's engine state moves between devices in two halves: swapped out on one device's
 * thread, adopted on the other's ({@link InferenceEngine#adopt}), the scheduler's SwapDone between
 * the two ordering them. The swap-out copies the KV to host memory, or, with peer hand-offs on and
 * on a prefill-only device, only detaches it ({@link InferenceEngine#detach}): the blocks stay
 * reserved there and the adopting device copies them device to device, then frees them. A
 * detached KV leaves its source exactly once: adopted, or discarded when the request ends
 * ({@link LiveRequest#releaseKv}) on whichever thread ends it. Every decision that expects a completion event gets
 * exactly one, even when the work failed: failed requests are reported finished and their sinks
 * get {@code onError}.
 */
public final class EngineExecutor implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EngineExecutor.class.getName());

    private final Function<String, ModelRuntime> models;
    private final Map<Long, LiveRequest> requests;
    private final Consumer<Event> completions;
    private final MeasuredCostModel cost;
    private final DoubleSupplier clock;
    /** Device time by kind, in nanoseconds of wall time on the thread doing it (see {@link #busySeconds}). */
    private final LongAdder stepNanos = new LongAdder(), loadNanos = new LongAdder(), freeNanos = new LongAdder();
    private final LongAdder switches = new LongAdder();
    private final List<DeviceInstance> devices;
    private final KvSwaps swaps;
    /** What each device did, for the dashboard: fed after each piece of device work, never during it. */
    private final TimelineRecorder timeline;

    EngineExecutor(Function<String, ModelRuntime> models, Map<Long, LiveRequest> requests, Consumer<Event> completions,
                   MeasuredCostModel cost, DoubleSupplier clock, List<DeviceInstance> devices, HandoffStats handoffs) {
        this(models, requests, completions, cost, clock, devices, handoffs, false,
                TimelineRecorder.forDevices(devices.stream().map(d -> d.spec.role().name().toLowerCase(java.util.Locale.ROOT)).toList()),
                PoolOptions.DEFAULT_KV_SWAP_BYTES);
    }

    EngineExecutor(Function<String, ModelRuntime> models, Map<Long, LiveRequest> requests, Consumer<Event> completions,
                   MeasuredCostModel cost, DoubleSupplier clock, List<DeviceInstance> devices, HandoffStats handoffs,
                   boolean peerHandoff, TimelineRecorder timeline, long kvSwapBytesPerDevice) {
        this.timeline = timeline;
        this.models = models;
        this.requests = requests;
        this.completions = completions;
        this.cost = cost;
        this.clock = clock;
        this.devices = List.copyOf(devices);
        this.swaps = new KvSwaps(requests, this.devices, cost, handoffs, timeline, peerHandoff, kvSwapBytesPerDevice);
    }

    private DeviceInstance device(int instance) {
        if (instance < 0 || instance >= devices.size()) throw new IllegalStateException("the scheduler named unknown instance " + instance);
        return devices.get(instance);
    }

    @Override
    public void submit(Decision decision) {
        switch (decision) {
            case Decision.LoadModel d -> {
                model(d.model()).countWeights(d.instance(), true); // the scheduler counts them from now
                device(d.instance()).copy(() -> load(d));
            }
            case Decision.EvictModel d -> {
                ModelRuntime m = model(d.model());
                Runnable free = m.evict(d.instance());
                timeline.resident(d.instance(), m.name(), false);
                device(d.instance()).free(() -> free(d, m, free));
            }
            case Decision.RunPrefill d -> device(d.instance()).compute(() -> prefill(d));
            case Decision.RunDecodeStep d -> device(d.instance()).compute(() -> decode(d));
            case Decision.SwapOut d -> device(d.instance()).compute(() -> {
                swaps.out(d);
                completions.accept(new Event.SwapDone(d.instance(), d.swapId()));
            });
            case Decision.SwapIn d -> device(d.instance()).compute(() -> {
                swaps.in(d);
                completions.accept(new Event.SwapDone(d.instance(), d.swapId()));
            });
        }
    }

    /**
     * The scheduler ended a request (cancelled, rejected, or cut at the memory's length limit, or
     * after the worker reported it finished): release what it holds and end its sink if not yet.
     * Runs on the compute thread of the device that last held the request's KV (the scheduler ends
     * a request only between its decisions, so no other device's thread touches it meanwhile).
     */
    void finalizeRequest(long id, RequestState state, double sloScore) {
        LiveRequest held = requests.get(id);
        device(held == null || held.instance < 0 ? 0 : held.instance).compute(() -> {
            LiveRequest r = requests.remove(id);
            if (r == null) return;
            if (!r.done) {
                switch (state) {
                    case CANCELLED -> r.complete(FinishReason.CANCELLED);
                    case REJECTED -> r.fail("the scheduler rejected the request: no device can hold model " + r.model.name()
                            + " and its KV", null);
                    default -> r.complete(FinishReason.LENGTH); // the scheduler stopped it: no memory to grow
                }
            }
            if (r.engine != null) r.model.noteKv(r.engine);
            r.model.requestEnded(clock.getAsDouble(), sloScore);
        });
    }

    /** The KV moves: swap-outs, recomputes, host bytes held by swapped KV. */
    KvSwaps swaps() { return swaps; }

    /**
     * Seconds the compute thread spent running prefill and decode steps, ever: the numerator of
     * the GPU's busy share (a step returns after its sampled tokens reached the host, so this is
     * time the device was computing or the thread waited on it, not queueing).
     */
    double busySeconds() { return stepNanos.sum() / 1e9; }

    /** Seconds spent in loads that copied weights onto the device (the copy thread; may overlap steps). */
    double loadSeconds() { return loadNanos.sum() / 1e9; }

    /** Seconds the copy thread spent freeing evicted models' memory (waits for queued work included). */
    double freeSeconds() { return freeNanos.sum() / 1e9; }


    /** Loads that copied weights onto the device, ever (re-activations of resident weights are not switches). */
    long switches() { return switches.sum(); }

    // ---------------------------------------------------------------- decisions

    private void load(Decision.LoadModel d) {
        ModelRuntime m = model(d.model());
        long t0 = System.nanoTime();
        try {
            ModelRuntime.LoadOutcome outcome = m.load(d.instance());
            timeline.resident(d.instance(), m.name(), true);
            // A re-activation moved no bytes: its milliseconds would teach the cost model that
            // loading this model is free, and the scheduler would then switch models on every step.
            if (outcome.transferred()) {
                cost.recordLoad(d.bytes(), outcome.seconds());
                loadNanos.add((long) (outcome.seconds() * 1e9));
                switches.increment();
                timeline.record(d.instance(), SpanKind.LOAD, m.name(), t0, System.nanoTime(), 0, d.bytes());
            }
        } catch (RuntimeException | Error e) { // an Error too (OutOfMemoryError): the load must still be answered
            LOG.log(System.Logger.Level.ERROR, "loading " + m.name() + " failed: " + e, e);
        }
        // Always answered: a failed load leaves the model unusable and its requests fail at prefill.
        completions.accept(new Event.LoadDone(d.instance(), d.model()));
    }

    /** An eviction's device work, on the copy thread; a failure leaves the memory held but stops nothing else. */
    private void free(Decision.EvictModel d, ModelRuntime m, Runnable free) {
        long t0 = System.nanoTime();
        try {
            free.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "freeing the evicted " + m.name() + " failed: " + e, e);
        }
        long t1 = System.nanoTime();
        freeNanos.add(t1 - t0);
        timeline.record(d.instance(), SpanKind.FREE, m.name(), t0, t1, 0, 0);
    }

    private void prefill(Decision.RunPrefill d) {
        Set<Long> finished = new HashSet<>();
        List<LiveRequest> batch = runnable(d.requests(), finished);
        if (!batch.isEmpty()) {
            ModelRuntime m = model(d.model());
            try {
                InferenceEngine engine = m.engineForCompute(d.instance());
                for (LiveRequest r : batch) {
                    r.engine = engine;
                    r.instance = d.instance();
                    r.sequence = engine.newSequence(r.prompt, r.params);
                    r.prefilled = true;
                }
                step(d.instance(), m, engine, batch, true, finished);
                // A prefill-only device hands the KV on: the hand-off clock starts now.
                if (device(d.instance()).spec.role() == InstanceSpec.Role.PREFILL) {
                    long now = System.nanoTime();
                    for (LiveRequest r : batch) r.prefillDoneNanos = now;
                }
            } catch (RuntimeException e) {
                failAll(batch, e, finished);
            }
        }
        completions.accept(new Event.PrefillDone(d.instance(), d.groupId(), Set.copyOf(finished)));
    }

    private void decode(Decision.RunDecodeStep d) {
        Set<Long> finished = new HashSet<>();
        List<LiveRequest> batch = runnable(d.requests(), finished);
        if (!batch.isEmpty()) {
            ModelRuntime m = model(d.model());
            try {
                step(d.instance(), m, batch.getFirst().engine, batch, false, finished);
            } catch (RuntimeException e) {
                failAll(batch, e, finished);
            }
        }
        completions.accept(new Event.DecodeStepDone(d.instance(), d.stepId(), Set.copyOf(finished)));
    }

    /** The per-device timeline this executor feeds. */
    TimelineRecorder timeline() { return timeline; }

    // ---------------------------------------------------------------- steps and delivery

    /** The requests of a decision that still want tokens; the others are reported finished. */
    private List<LiveRequest> runnable(List<Long> ids, Set<Long> finished) {
        List<LiveRequest> out = new ArrayList<>(ids.size());
        for (long id : ids) {
            LiveRequest r = requests.get(id);
            if (r == null || r.done) {
                finished.add(id);
            } else if (r.cancelRequested) {
                r.complete(FinishReason.CANCELLED);
                finished.add(id);
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private void step(int instance, ModelRuntime m, InferenceEngine engine, List<LiveRequest> batch, boolean prefill, Set<Long> finished) {
        List<LiveRequest> run = new ArrayList<>(batch);
        long t0;
        StepResult result;
        boolean awaitedFrees = false;
        while (true) {
            t0 = System.nanoTime();
            result = prefill ? engine.prefill(batchOf(run)) : engine.decode(batchOf(run));
            if (result instanceof StepResult.Stepped) break;
            boolean poolFull = engine.blocksNeeded(batchOf(run)) > engine.freeBlocks();
            // The device is short while an evicted model's memory, which the scheduler already counts
            // as free, is still queued to be freed behind a load: wait for it once rather than fail.
            if (!poolFull && !awaitedFrees && device(instance).pendingFrees() > 0) {
                awaitedFrees = true;
                if (awaitFrees(instance)) continue;
            }
            // A fixed pool: KvAdmission admits only what it holds at its longest. Shared pages: the
            // scheduler reserves the same whole pages within the same memory. So no room means pages
            // the scheduler did not expect to be taken, or (memory mapped on demand, more in use than
            // the pool's memory setting leaves) a device with no memory behind free pages. Either way
            // the newest request fails and the rest step, its memory freed for them; a NoRoom step
            // changed nothing.
            String why = poolFull ? "the KV cache of model " + m.name() + " is full"
                    : "the GPU has no memory left for the KV cache of model " + m.name();
            LiveRequest victim = run.removeLast();
            victim.fail(why, null);
            finished.add(victim.id);
            if (run.isEmpty()) return;
        }
        long nanos = System.nanoTime() - t0;
        stepNanos.add(nanos);
        timeline.record(instance, prefill ? SpanKind.PREFILL : SpanKind.DECODE, m.name(), t0, t0 + nanos, run.size(), 0);
        double seconds = nanos / 1e9;
        List<StepResult.TokenEvent> tokens = ((StepResult.Stepped) result).tokens();
        if (prefill) cost.recordPrefill(m.schedulerName, run.stream().mapToLong(r -> r.prompt.length).sum(), seconds);
        else cost.recordDecode(m.schedulerName, run.size(), seconds);
        m.noteKv(engine); // before any sink sees the token, so a status read after it shows the KV held
        for (int i = 0; i < run.size(); i++) deliver(run.get(i), tokens.get(i), finished);
        m.noteKv(engine);
    }

    /** Bounds a step's wait for queued frees: a load ahead of them on the copy thread takes well under this. */
    static final long FREE_WAIT_MILLIS = 5_000;

    private boolean awaitFrees(int instance) {
        try {
            return device(instance).awaitFrees(FREE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Batch batchOf(List<LiveRequest> run) {
        List<Sequence> seqs = new ArrayList<>(run.size());
        for (LiveRequest r : run) seqs.add(r.sequence);
        return new Batch(seqs);
    }

    private void deliver(LiveRequest r, StepResult.TokenEvent event, Set<Long> finished) {
        if (r.cancelRequested) {
            r.complete(FinishReason.CANCELLED);
            finished.add(r.id);
            return;
        }
        int index = r.tokens++;
        String text = r.text.next(event.tokenId());
        FinishReason reason = r.text.stopped() ? FinishReason.STOP : event.finish();
        if (reason != null) text += r.text.finish();
        try {
            DecodedLogprobs logprobs = event.logprobs() == null ? null : DecodedLogprobs.of(event.logprobs(), r.model.tokenTexts::text);
            r.sink.onToken(index, event.tokenId(), text, logprobs);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "token sink of request " + r.id + " failed", e);
        }
        if (reason != null) {
            r.complete(reason);
            finished.add(r.id);
        }
    }

    private void failAll(List<LiveRequest> batch, RuntimeException e, Set<Long> finished) {
        LOG.log(System.Logger.Level.ERROR, "a step failed: " + e.getMessage(), e);
        for (LiveRequest r : batch) {
            r.fail(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            finished.add(r.id);
        }
    }

    private ModelRuntime model(String schedulerName) {
        ModelRuntime m = models.apply(schedulerName);
        if (m == null) throw new IllegalStateException("the scheduler named unknown model " + schedulerName);
        return m;
    }

    /** Lets every device finish what is queued, stops their threads, then ends every request still open (CANCELLED). */
    @Override
    public void close() {
        for (DeviceInstance d : devices) d.stop();
        for (LiveRequest r : List.copyOf(requests.values())) {
            requests.remove(r.id);
            if (!r.done) r.complete(FinishReason.CANCELLED);
        }
    }
}
