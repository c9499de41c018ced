package dev.aegaeon.worker;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SchedulerListener;
import java.util.HashMap;
import java.util.Map;

/**
 * The pool's SLO accounting: one {@link ModelLedger} per registered model, and which one each live
 * request counts in, so the scheduler's token and end notices reach the right ledger. Touched only
 * on the scheduler loop's thread.
 */
final class SloLedgers implements SchedulerListener {
    private final Map<String, ModelLedger> byModel = new HashMap<>();
    private final Map<Long, ModelLedger> byRequest = new HashMap<>();

    void addModel(String schedulerName) { byModel.put(schedulerName, new ModelLedger()); }

    /** Request {@code spec} arrived for its model: it counts in that model's ledger until {@link #end}. */
    void expect(RequestSpec spec) {
        ModelLedger ledger = byModel.get(spec.model());
        ledger.expect(spec);
        byRequest.put(spec.id(), ledger);
    }

    /** The request's score as of {@code now}, or NaN for one no ledger expected (it never arrived). */
    double end(long requestId, double now) {
        ModelLedger ledger = byRequest.remove(requestId);
        return ledger == null ? Double.NaN : ledger.end(requestId, now);
    }

    @Override
    public void onToken(long requestId, int index, double time) {
        ModelLedger l = byRequest.get(requestId);
        if (l != null) l.current().onToken(requestId, index, time);
    }

    @Override
    public void onFinish(long requestId, RequestState state, double time) {
        ModelLedger l = byRequest.get(requestId);
        if (l != null) l.current().onFinish(requestId, state, time);
    }
}
