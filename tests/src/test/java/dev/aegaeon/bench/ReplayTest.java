package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.loadgen.LoadTrace;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.ReplayedTrace;
import dev.aegaeon.sim.Trace;
import dev.aegaeon.sim.WorkloadGenerator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Regenerated loadgen traces and the loadgen's length clipping, as the replay and gated e3 use them. */
class ReplayTest {

    @Test
    void aGeneratedPointIsTheTraceTheLoadgenSends() {
        ReplayedTrace rt = Replay.generated("gen:request-level:4:80:40:1");
        var planned = LoadTrace.generate(List.of("fn0", "fn1", "fn2", "fn3"), 0.1, 80, Replay.KV_TOKENS_PER_MODEL, 1);
        assertEquals(planned.size(), rt.trace().requests().size());
        for (int i = 0; i < planned.size(); i++) {
            assertEquals(planned.get(i).function(), rt.trace().requests().get(i).model());
            assertEquals(planned.get(i).arrivalSeconds(), rt.trace().requests().get(i).arrivalSeconds());
            assertEquals(planned.get(i).outputTokens(), rt.trace().outputTokens()[i]);
        }
        assertEquals(4, rt.trace().models().size());
        assertEquals(40, rt.drainSeconds());
        assertEquals("request-level", rt.policy());
    }

    @Test
    void badGeneratedSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Replay.generated("gen:aegaeon:7:80"));
        assertThrows(IllegalArgumentException.class, () -> Replay.generated("gen:aegaeon:x:80:40:1"));
        assertThrows(IllegalArgumentException.class, () -> Replay.generated("gen:aegaeon:0:80:40:1"));
    }

    @Test
    void clippingFitsEveryRequestInTheSequenceLimitKeepingOneOutputToken() {
        Map<String, CatalogModel> models = WorkloadGenerator.replicas(CatalogModel.QWEN2_5_7B, 3);
        Map<String, Double> rates = new HashMap<>();
        models.keySet().forEach(m -> rates.put(m, 1.0));
        Trace t = WorkloadGenerator.poisson(models, rates, 600, SloTargets.PAPER_DEFAULT, 3);
        Trace c = Experiments.clipped(t, 1024);
        boolean anyClipped = false;
        for (int i = 0; i < t.requests().size(); i++) {
            var r = c.requests().get(i);
            assertTrue(r.promptTokens() + c.outputTokens()[i] <= 1024 && c.outputTokens()[i] >= 1, "request " + i);
            assertEquals(c.outputTokens()[i], r.maxOutputTokens());
            anyClipped |= c.outputTokens()[i] < t.outputTokens()[i] || r.promptTokens() < t.requests().get(i).promptTokens();
        }
        assertTrue(anyClipped, "the heavy-tailed trace should have requests over 1024 tokens");
    }

    @Test
    void aSharedPageRunIsReplayedAsItRanWithoutTheGateAndWithItsRoundsAndPages() throws java.io.IOException {
        var asRun = Replay.asRun(1 << 20, true, 2, 0.404);
        assertEquals(2, asRun.size(), "as run, then with the measured load cost");
        for (Replay.Variant v : asRun) {
            assertEquals(0, v.kvGateTokens(), "shared pages: no per-model gate");
            assertEquals(1 << 20, v.kvPageBytes());
            assertTrue(v.config().ttftBoundedRounds());
            assertEquals(2, v.config().qmaxSeconds());
        }
        assertEquals(0.404, asRun.get(1).loadSeconds());
        assertTrue(Double.isNaN(asRun.get(0).loadSeconds()));
        assertEquals(1, Replay.asRun(1 << 20, false, 0, Double.NaN).size());

        // The variant runs: a generated point replayed over shared pages with bounded rounds ends every request.
        ReplayedTrace rt = Replay.generated("gen:aegaeon:4:60:30:1");
        var costs = dev.aegaeon.sim.MeasuredCosts.read(java.nio.file.Path.of("bench/results/h100-measured-costs.json"));
        var o = Replay.run(rt, costs, asRun.get(0), false);
        assertEquals(rt.trace().requests().size(), o.result().slo().requests(), "every request of the trace is simulated");
        assertEquals(0, o.result().stranded(), "and none is left unended");
    }
}
