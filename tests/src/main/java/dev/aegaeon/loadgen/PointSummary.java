package dev.aegaeon.loadgen;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.scheduler.SloLedger;
import dev.aegaeon.scheduler.SloReport;

import java.util.List;
import java.util.Optional;

/**
 * The measures of one load point. SLO attainment, TTFT p50/p99, TBT p99 and the both-SLO share
 * come from the scheduler module's {@link SloLedger} (the paper's metric, computed exactly as the
 * simulator does) fed with client-side times: a request arrives when it was sent, and its k-th
 * token when the chunk carrying it was read. Requests that failed before a token score 0;
 * stragglers cancelled after the drain are scored as unfinished at the report time.
 * Switches and GPU busy time are deltas of the platform's metrics over the window, absent when the
 * platform does not export them.
 */
public record PointSummary(int functions, int requests, int ok, int failed, int cancelled, double attainment, double ttftP50,
                           double ttftP99, double tbtP99, double bothSlosShare, long tokens, double windowSeconds,
                           double elapsedSeconds, double maxSendLagSeconds, Optional<Double> switches,
                           Optional<Double> switchesPerMinute, Optional<Double> busySeconds, Optional<Double> gpuBusyShare,
                           Optional<Double> loadSeconds, List<String> sampleErrors) {

    static final String[] SWITCH_METRICS = {"aegaeon_pool_switches_total", "aegaeon_pool_switches", "aegaeon_model_switches_total"};
    static final String[] BUSY_METRICS = {"aegaeon_pool_busy_seconds_total", "aegaeon_pool_busy_seconds"};
    static final String[] LOAD_METRICS = {"aegaeon_pool_load_seconds_total", "aegaeon_model_load_seconds_total"};

    /** {@code reportAt}: seconds after the window opened when the point ended (all done, or the drain ran out). */
    static PointSummary of(int functions, List<RequestOutcome> outcomes, SloTargets slo, double windowSeconds, double reportAt,
                           PrometheusText before, PrometheusText after) {
        SloLedger ledger = new SloLedger();
        int ok = 0, failed = 0, cancelled = 0;
        long tokens = 0;
        double lag = 0;
        List<String> errors = new java.util.ArrayList<>();
        for (RequestOutcome o : outcomes) {
            PlannedRequest p = o.planned();
            ledger.expect(new RequestSpec(p.id(), p.function(), p.promptTokens(), p.outputTokens(), o.sentAt(), slo), p.outputTokens());
            double[] t = o.tokenTimes();
            for (int k = 0; k < t.length; k++) ledger.onToken(p.id(), k, t[k]);
            tokens += t.length;
            lag = Math.max(lag, o.sentAt() - p.arrivalSeconds());
            if (o.ok()) {
                ok++;
                ledger.onFinish(p.id(), RequestState.FINISHED, t.length == 0 ? o.sentAt() : t[t.length - 1]);
            } else if (o.cancelled()) {
                cancelled++;
            } else {
                failed++;
                if (errors.size() < 10) errors.add(p.function() + " #" + p.id() + ": " + o.error());
            }
        }
        SloReport r = ledger.report(reportAt);
        Optional<Double> switches = delta(before, after, SWITCH_METRICS);
        Optional<Double> busy = delta(before, after, BUSY_METRICS);
        return new PointSummary(functions, outcomes.size(), ok, failed, cancelled, r.attainment(), r.ttftP50(), r.ttftP99(),
                r.tbtP99(), r.bothSlosShare(), tokens, windowSeconds, reportAt, lag, switches,
                switches.map(s -> s / (reportAt / 60)), busy, busy.map(b -> b / reportAt), delta(before, after, LOAD_METRICS),
                List.copyOf(errors));
    }

    private static Optional<Double> delta(PrometheusText before, PrometheusText after, String[] names) {
        for (String n : names) {
            Optional<Double> a = after.first(n);
            if (a.isPresent()) return Optional.of(a.get() - before.first(n).orElse(0.0));
        }
        return Optional.empty();
    }
}
