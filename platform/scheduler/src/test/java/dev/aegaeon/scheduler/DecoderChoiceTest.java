package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which decode instance a handed-off request joins when every round is past its TPOT capacity. */
class DecoderChoiceTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT; // TPOT 0.1 s


    /**
     * Instance 1 decodes a, b, c and x (4 batches of 0.05 s steps against a 0.1 s TPOT: alpha 2),
     * instance 2 decodes d and e (alpha 1, 1.5 with a new batch). A second request of a finds no
     * instance that can take it within its TPOT; joining a's batch adds no step to any round, while
     * a new batch on instance 2 adds a whole step there and splits a's requests over two rounds.
     */
    @Test
    void whenNoRoundIsFeasibleARequestJoinsItsModelsBatch() {
        List<ModelSpec> models = List.of("a", "b", "c", "x", "d", "e").stream().map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList();
        FixedCost cost = new FixedCost(0.05, 0.05, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.PREFILL, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.DECODE, 1, 72 * GB),
                new InstanceSpec(2, InstanceSpec.Role.DECODE, 1, 72 * GB, Set.of(), Set.of("a", "d", "e"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        String[] order = {"a", "b", "c", "x", "d", "e"};
        for (int i = 0; i < order.length; i++) sim.arrive(new RequestSpec(i, order[i], 100, 5_000, 0.2 * i, SLO), 5_000);
        sim.arrive(new RequestSpec(100, "a", 100, 5_000, 4.0, SLO), 5_000);
        sim.run(12);
        assertEquals(Set.of(1), sim.decodersOf(0), "the first request of a decodes on instance 1");
        assertEquals(Set.of(2), sim.decodersOf(4), "d went to the less loaded instance");
        assertEquals(Set.of(1), sim.decodersOf(100), "the second request of a joins a's batch, not a new batch on instance 2");
    }

    /** While another instance can take the request within its TPOT, an overloaded model's instance sheds it there. */
    @Test
    void aFeasibleInstanceStillTakesTheOverflow() {
        List<ModelSpec> models = List.of("a", "b", "c", "x").stream().map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList();
        FixedCost cost = new FixedCost(0.05, 0.05, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.PREFILL, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.DECODE, 1, 72 * GB),
                new InstanceSpec(2, InstanceSpec.Role.DECODE, 1, 72 * GB, Set.of(), Set.of("a"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        String[] order = {"a", "b", "c", "x"};
        for (int i = 0; i < order.length; i++) sim.arrive(new RequestSpec(i, order[i], 100, 5_000, 0.2 * i, SLO), 5_000);
        sim.arrive(new RequestSpec(100, "a", 100, 5_000, 4.0, SLO), 5_000);
        sim.run(12);
        assertEquals(Set.of(1), sim.decodersOf(0));
        assertEquals(Set.of(2), sim.decodersOf(100), "instance 2 holds the new batch within its TPOT (alpha 0.5)");
    }
}
