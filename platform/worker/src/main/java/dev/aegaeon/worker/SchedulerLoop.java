package dev.aegaeon.worker;

import dev.aegaeon.scheduler.AegaeonScheduler;
import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.Executor;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.PoolScheduler;
import dev.aegaeon.scheduler.RequestLevelScheduler;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Owns one {@link PoolScheduler} ({@link AegaeonScheduler} or, as the baseline,
 * {@link RequestLevelScheduler}; one instance per device) and the single thread that
 * feeds it. Arrivals, cancellations and the executor's completion events are queued from any thread
 * and applied here in order, so the scheduler stays single-threaded as {@link Executor} requires;
 * the decisions each event yields go to the executor in the order the scheduler gave them. Requests
 * the scheduler ends are handed to {@code onFinished} before those decisions, so their KV is freed
 * before anything that counts on the memory.
 */
public final class SchedulerLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SchedulerLoop.class.getName());
    private static final Runnable STOP = () -> {};

    private record Ended(long id, RequestState state) {}

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final PoolScheduler scheduler;
    private final Executor executor;
    private final BiConsumer<Long, RequestState> onFinished;
    private final List<Ended> ended = new ArrayList<>();
    private final Thread thread;
    private final Clock clock;
    private final StallDetector stalls;
    private final int instanceCount;
    private final AtomicLong stallCount = new AtomicLong();

    /** Silence, in seconds, after which an instance with work counts as stalled unless configured otherwise. */
    public static final double DEFAULT_STALL_SECONDS = 30;

    /**
     * @param observer   sees tokens, ends and loads as the scheduler learns them (SLO ledgers); on this loop's thread
     * @param onFinished told of every request the scheduler moved to a terminal state
     */
    public SchedulerLoop(Clock clock, CostModel cost, InstanceSpec instance, SchedulerConfig config, SchedulerListener observer,
                         Executor executor, BiConsumer<Long, RequestState> onFinished) {
        this(clock, cost, List.of(instance), config, PoolPolicy.AEGAEON, observer, executor, onFinished);
    }

    /** Our scheduler over several instances (devices), ids 0..n-1 in order: colocated, or prefill and decode ones. */
    public SchedulerLoop(Clock clock, CostModel cost, List<InstanceSpec> instances, SchedulerConfig config, SchedulerListener observer,
                         Executor executor, BiConsumer<Long, RequestState> onFinished) {
        this(clock, cost, instances, config, PoolPolicy.AEGAEON, observer, executor, onFinished);
    }

    /**
     * {@code policy}'s scheduler over the instances. The request-level baseline knows only colocated
     * instances (each device serves whole requests), so it refuses prefill or decode ones.
     */
    public SchedulerLoop(Clock clock, CostModel cost, List<InstanceSpec> instances, SchedulerConfig config, PoolPolicy policy,
                         SchedulerListener observer, Executor executor, BiConsumer<Long, RequestState> onFinished) {
        this(clock, cost, instances, config, policy, observer, executor, onFinished, DEFAULT_STALL_SECONDS);
    }

    /**
     * As above; {@link #checkStalls()} reports an instance that has work and saw no decision or
     * completion for more than {@code stallAfterSeconds}.
     */
    public SchedulerLoop(Clock clock, CostModel cost, List<InstanceSpec> instances, SchedulerConfig config, PoolPolicy policy,
                         SchedulerListener observer, Executor executor, BiConsumer<Long, RequestState> onFinished,
                         double stallAfterSeconds) {
        if (policy == PoolPolicy.REQUEST_LEVEL && instances.stream().anyMatch(i -> i.role() != InstanceSpec.Role.COLOCATED)) {
            throw new IllegalArgumentException("the request-level policy needs colocated devices, not prefill/decode ones");
        }
        this.executor = executor;
        this.onFinished = onFinished;
        this.clock = clock;
        this.instanceCount = instances.size();
        this.stalls = new StallDetector(instances.size(), stallAfterSeconds, clock.now());
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onToken(long requestId, int index, double time) { observer.onToken(requestId, index, time); }

            @Override
            public void onFinish(long requestId, RequestState state, double time) {
                observer.onFinish(requestId, state, time);
                ended.add(new Ended(requestId, state));
            }

            @Override
            public void onLoad(int inst, String model, long bytes, boolean prefetch, double time) {
                observer.onLoad(inst, model, bytes, prefetch, time);
            }
        };
        this.scheduler = DecisionTrace.wrap(switch (policy) {
            case AEGAEON -> new AegaeonScheduler(clock, cost, List.of(), instances, config, listener);
            case REQUEST_LEVEL -> new RequestLevelScheduler(clock, List.of(), instances, config.maxDecodeBatch(), listener);
        }, clock);
        this.thread = new Thread(this::run, "aegaeon-scheduler");
        thread.setDaemon(true);
        thread.start();
        call(PoolScheduler::start);
    }

    /** Queues an event (arrival, cancel, completion); applied in order on the loop's thread. */
    public void post(Event event) {
        tasks.add(() -> {
            stalls.completed(event, clock.now());
            apply(scheduler.handle(event));
        });
    }

    /**
     * Queues a stall check: each instance that has work and saw no decision or completion for
     * longer than the bound is logged once (one WARNING line with its state) and counted in
     * {@link #stalls()}, until it shows activity again.
     */
    public void checkStalls() {
        tasks.add(() -> {
            for (StallDetector.Stall s : stalls.check(clock.now(), scheduler::workOn)) {
                stallCount.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
                        "instance %d of %d stalled: %d request(s) to serve, no decision or completion for %.1f s, %d decision(s) outstanding, last decision %s",
                        s.instance(), instanceCount, s.work(), s.silentSeconds(), s.outstanding(), s.lastDecision()));
            }
        });
    }

    /** Stalls found so far (see {@link #checkStalls()}); readable from any thread. */
    public long stalls() {
        return stallCount.get();
    }

    /**
     * Runs {@code action} on the loop's thread (registering a model, idle eviction, ...) and submits
     * the decisions it returns. The future completes when that is done.
     */
    public CompletableFuture<Void> call(Function<PoolScheduler, List<Decision>> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                apply(action.apply(scheduler));
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
        });
        return done;
    }

    private void apply(List<Decision> decisions) {
        flushEnded();
        double now = clock.now();
        for (Decision d : decisions) {
            stalls.issued(d, now);
            // One decision failing (an eviction whose release threw) must not drop the rest: a
            // compute decision left unsubmitted never completes and its instance would stall.
            try {
                executor.submit(d);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "decision " + d + " failed: " + e.getMessage(), e);
            }
        }
    }

    private void flushEnded() {
        for (Ended e : ended) onFinished.accept(e.id, e.state);
        ended.clear();
    }

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = tasks.take();
            } catch (InterruptedException e) {
                return;
            }
            if (task == STOP) return;
            try {
                task.run();
            } catch (RuntimeException e) {
                // A bad event must not kill the loop: every other request still depends on it.
                flushEnded();
                LOG.log(System.Logger.Level.ERROR, "scheduler event failed: " + e.getMessage(), e);
            }
        }
    }

    /** Stops the loop after the tasks already queued. */
    @Override
    public void close() {
        tasks.add(STOP);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
