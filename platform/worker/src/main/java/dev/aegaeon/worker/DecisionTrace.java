package dev.aegaeon.worker;

import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.PoolScheduler;
import dev.aegaeon.scheduler.RequestState;
import java.util.List;
import java.util.Locale;

/**
 * The scheduler's inputs and outputs as log lines, so a run can be read back: every event it
 * handled and the decisions that event yielded, stamped with the scheduler's clock. On only when
 * the logger {@code dev.aegaeon.worker.DecisionTrace} is at DEBUG when the loop starts
 * ({@code quarkus.log.category."dev.aegaeon.worker.DecisionTrace".level=DEBUG}); otherwise
 * {@link #wrap} returns the scheduler itself and nothing is added to its path.
 */
final class DecisionTrace implements PoolScheduler {
    private static final System.Logger LOG = System.getLogger(DecisionTrace.class.getName());

    private final PoolScheduler inner;
    private final Clock clock;

    private DecisionTrace(PoolScheduler inner, Clock clock) {
        this.inner = inner;
        this.clock = clock;
    }

    /** {@code scheduler}, traced when the logger is at DEBUG. */
    static PoolScheduler wrap(PoolScheduler scheduler, Clock clock) {
        return LOG.isLoggable(System.Logger.Level.DEBUG) ? new DecisionTrace(scheduler, clock) : scheduler;
    }

    @Override
    public List<Decision> start() {
        return trace("start", inner.start());
    }

    @Override
    public List<Decision> handle(Event event) {
        return trace(event.toString(), inner.handle(event));
    }

    @Override
    public RequestState state(long requestId) {
        return inner.state(requestId);
    }

    @Override
    public void addModel(ModelSpec model) {
        inner.addModel(model);
        trace("addModel " + model.name(), List.of());
    }

    @Override
    public List<Decision> preload(String model) {
        return trace("preload " + model, inner.preload(model));
    }

    @Override
    public List<Decision> evictIdle(String model) {
        return trace("evictIdle " + model, inner.evictIdle(model));
    }

    @Override
    public int workOn(int instance) {
        return inner.workOn(instance);
    }

    private List<Decision> trace(String input, List<Decision> out) {
        LOG.log(System.Logger.Level.DEBUG, String.format(Locale.ROOT, "t=%.3f %s -> %s", clock.now(), input, out));
        return out;
    }
}
