package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decode round-robin, KV movement and the colocated interleaving, on hand-made scenarios. */
class DecodeRoundTest {
    private static final long GB = 1_000_000_000L;
    private final List<ModelSpec> models = List.of(new ModelSpec("a", 30 * GB, 1_000_000), new ModelSpec("b", 30 * GB, 1_000_000));

    private static final class Finishes implements SchedulerListener {
        final Map<Long, RequestState> end = new HashMap<>();
        final Map<Long, Integer> tokens = new HashMap<>();

        @Override
        public void onToken(long id, int index, double time) {
            assertEquals(tokens.getOrDefault(id, 0), index, "tokens in order, once each");
            tokens.put(id, index + 1);
        }

        @Override
        public void onFinish(long id, RequestState state, double time) {
            end.put(id, state);
        }
    }

    private MiniSim colocated(SchedulerConfig config, Finishes f, long memory) {
        MiniSim sim = new MiniSim(new FixedCost(0.05, 0.02, 0.5, 1e-10));
        sim.scheduler = new AegaeonScheduler(sim.clock, new FixedCost(0.05, 0.02, 0.5, 1e-10), models,
                List.of(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, memory)), config, f);
        return sim;
    }

    @Test
    void twoModelsOnOneGpuTakeTurnsAndBothFinish() {
        Finishes f = new Finishes();
        MiniSim sim = colocated(SchedulerConfig.paper(), f, 72 * GB);
        sim.arrive(new RequestSpec(1, "a", 100, 400, 0, SloTargets.PAPER_DEFAULT), 400);
        sim.arrive(new RequestSpec(2, "b", 100, 400, 0.1, SloTargets.PAPER_DEFAULT), 400);
        sim.run(1000);
        assertEquals(RequestState.FINISHED, f.end.get(1L));
        assertEquals(RequestState.FINISHED, f.end.get(2L));
        assertEquals(400, f.tokens.get(1L));
        // Paper mode keeps one model resident, so serving both means switching back and forth.
        List<String> stepModels = new ArrayList<>();
        for (Decision d : sim.log) {
            if (d instanceof Decision.RunDecodeStep s && (stepModels.isEmpty() || !stepModels.getLast().equals(s.model()))) stepModels.add(s.model());
        }
        assertTrue(stepModels.size() >= 3, "turns alternate: " + stepModels);
        assertTrue(sim.log.stream().anyMatch(d -> d instanceof Decision.SwapOut), "paper mode swaps KV out at turn end");
        assertTrue(sim.log.stream().anyMatch(d -> d instanceof Decision.EvictModel), "one model at a time");
    }

    @Test
    void multiResidentModelsSwitchWithoutLoadsOrSwaps() {
        Finishes f = new Finishes();
        MiniSim sim = colocated(SchedulerConfig.defaults(), f, 72 * GB);
        sim.arrive(new RequestSpec(1, "a", 100, 300, 0, SloTargets.PAPER_DEFAULT), 300);
        sim.arrive(new RequestSpec(2, "b", 100, 300, 0.1, SloTargets.PAPER_DEFAULT), 300);
        sim.run(1000);
        assertEquals(2, sim.log.stream().filter(d -> d instanceof Decision.LoadModel).count(), "each model loaded once");
        assertTrue(sim.log.stream().noneMatch(d -> d instanceof Decision.SwapOut || d instanceof Decision.EvictModel));
        assertEquals(RequestState.FINISHED, f.end.get(2L));
    }

    @Test
    void kvIsSwappedOutWhenTheOtherModelNeedsTheMemory() {
        Finishes f = new Finishes();
        // 61 GB: both models' weights (60 GB) leave 1 GB, less than one request's KV (100 + tokens MB each ... 1 MB/token).
        MiniSim sim = colocated(SchedulerConfig.defaults(), f, 61 * GB);
        sim.arrive(new RequestSpec(1, "a", 500, 600, 0, SloTargets.PAPER_DEFAULT), 600);
        sim.arrive(new RequestSpec(2, "b", 500, 600, 0.1, SloTargets.PAPER_DEFAULT), 600);
        sim.run(5000);
        assertEquals(RequestState.FINISHED, f.end.get(1L));
        assertEquals(RequestState.FINISHED, f.end.get(2L));
        AegaeonScheduler s = (AegaeonScheduler) sim.scheduler;
        assertTrue(s.reservedBytes(0) <= 61 * GB);
        assertTrue(sim.log.stream().anyMatch(d -> d instanceof Decision.SwapOut || d instanceof Decision.EvictModel), "memory was made");
    }

    @Test
    void cancelReleasesEverything() {
        Finishes f = new Finishes();
        MiniSim sim = colocated(SchedulerConfig.defaults(), f, 72 * GB);
        sim.arrive(new RequestSpec(1, "a", 100, 1000, 0, SloTargets.PAPER_DEFAULT), 1000);
        sim.at(2.0, new Event.Cancel(1));
        sim.arrive(new RequestSpec(2, "a", 100, 10, 1.0, SloTargets.PAPER_DEFAULT), 10);
        sim.run(100);
        assertEquals(RequestState.CANCELLED, f.end.get(1L));
        assertEquals(RequestState.FINISHED, f.end.get(2L));
        assertNull(sim.scheduler.state(1));
        assertEquals(30 * GB, ((AegaeonScheduler) sim.scheduler).reservedBytes(0), "only weights remain");
    }

    @Test
    void urgentPrefillOfAnotherModelPreemptsALongTurn() {
        Finishes f = new Finishes();
        MiniSim sim = colocated(SchedulerConfig.defaults(), f, 72 * GB);
        SloTargets tight = new SloTargets(2.0, 0.1);
        sim.arrive(new RequestSpec(1, "a", 100, 5000, 0, tight), 5000);
        sim.arrive(new RequestSpec(2, "b", 100, 5, 5.0, tight), 5);
        sim.run(200);
        // b's first token must come within its 2 s TTFT although a alone would decode for 100 s.
        double firstB = sim.log.stream().filter(d -> d instanceof Decision.RunPrefill p && p.model().equals("b")).count();
        assertEquals(1.0, firstB);
        assertEquals(RequestState.FINISHED, f.end.get(2L));
    }
}
