package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.aegaeon.scheduler.SloTargets;

/** Metrics are summed over label sets, absent ones stay absent, and the point's deltas use them. */
class PrometheusTextTest {
    private static final String BEFORE = """
            # HELP aegaeon_model_switches_total Times the model was brought onto a device
            # TYPE aegaeon_model_switches_total counter
            aegaeon_model_switches_total{function="fn0"} 1.0
            aegaeon_model_switches_total{function="fn1",le="a b"} 2.0
            aegaeon_pool_busy_seconds_total 10.5
            weird_line_without_value
            aegaeon_ttft_seconds_bucket{function="fn0",le="+Inf"} +Inf
            """;
    private static final String AFTER = """
            aegaeon_model_switches_total{function="fn0"} 4.0
            aegaeon_model_switches_total{function="fn1",le="a b"} 5.0
            aegaeon_pool_busy_seconds_total 40.5
            """;

    @Test
    void sumsOverLabelsAndSkipsWhatIsNotANumber() {
        PrometheusText p = PrometheusText.parse(BEFORE);
        assertEquals(Optional.of(3.0), p.first("aegaeon_model_switches_total"));
        assertEquals(Optional.of(10.5), p.first("nope", "aegaeon_pool_busy_seconds_total"));
        assertTrue(p.first("aegaeon_pool_switches_total").isEmpty());
    }

    @Test
    void aPointReportsSwitchesPerMinuteAndBusyShareFromTheDeltas() {
        PlannedRequest r = new PlannedRequest(0, "fn0", 0, 4, 3);
        RequestOutcome ok = new RequestOutcome(r, 0.0, 200, new double[] {0.5, 0.6, 0.7}, "length", 4, 3, null, false);
        PointSummary s = PointSummary.of(2, List.of(ok), new SloTargets(10, 0.1), 60, 60, PrometheusText.parse(BEFORE), PrometheusText.parse(AFTER));
        assertEquals(6.0, s.switches().orElseThrow(), 1e-9);
        assertEquals(6.0, s.switchesPerMinute().orElseThrow(), 1e-9);
        assertEquals(0.5, s.gpuBusyShare().orElseThrow(), 1e-9);
        assertEquals(1.0, s.attainment(), 1e-9);
        PointSummary none = PointSummary.of(2, List.of(ok), new SloTargets(10, 0.1), 60, 60, PrometheusText.parse(""), PrometheusText.parse(""));
        assertTrue(none.switches().isEmpty() && none.gpuBusyShare().isEmpty(), "absent metrics are absent, not zero");
    }

    @Test
    void attainmentIsTheSchedulersMetricOnClientTimes() {
        // The SloLedger's worked example: arrival 0, tokens at 3, 6, 7, 8, TTFT 3, TPOT 2 -> 5/8.
        PlannedRequest r = new PlannedRequest(0, "fn0", 0, 4, 4);
        RequestOutcome o = new RequestOutcome(r, 0.0, 200, new double[] {3, 6, 7, 8}, "length", 4, 4, null, false);
        PlannedRequest f = new PlannedRequest(1, "fn1", 0, 4, 4);
        RequestOutcome failed = new RequestOutcome(f, 1.0, 503, new double[0], null, -1, -1, "HTTP 503: busy", false);
        PointSummary s = PointSummary.of(2, List.of(o, failed), new SloTargets(3, 2), 10, 10, PrometheusText.parse(""), PrometheusText.parse(""));
        assertEquals((5.0 / 8 + 0) / 2, s.attainment(), 1e-9);
        assertEquals(1, s.ok());
        assertEquals(1, s.failed());
        assertEquals(List.of("fn1 #1: HTTP 503: busy"), s.sampleErrors());
    }
}
