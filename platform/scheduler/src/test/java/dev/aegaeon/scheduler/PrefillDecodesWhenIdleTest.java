package dev.aegaeon.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The disaggregated layout's hybrid role ({@link SchedulerConfig#prefillDecodesWhenIdle}): a prefill
 * instance with nothing else to prefill decodes the requests it just prefilled, with no hand-off,
 * and hands them to the decode instance the moment a prefill is queued there, before running it.
 */
class PrefillDecodesWhenIdleTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT;

    private static MiniSim sim(boolean decodesWhenIdle) {
        List<ModelSpec> models = List.of(new ModelSpec("a", 5 * GB, 1_000), new ModelSpec("b", 5 * GB, 1_000));
        FixedCost cost = new FixedCost(0.05, 0.05, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.PREFILL, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.DECODE, 1, 72 * GB)),
                SchedulerConfig.defaults().withPrefillDecodesWhenIdle(decodesWhenIdle), SchedulerListener.NONE);
        return sim;
    }

    private static long swapOuts(MiniSim sim, int instance, long id) {
        return sim.log.stream().filter(d -> d instanceof Decision.SwapOut s && s.instance() == instance && s.requests().contains(id)).count();
    }

    private static int indexOf(MiniSim sim, java.util.function.Predicate<Decision> p) {
        for (int i = 0; i < sim.log.size(); i++) if (p.test(sim.log.get(i))) return i;
        return -1;
    }

    @Test
    void aLoneRequestDecodesWhereItWasPrefilled() {
        MiniSim on = sim(true);
        on.arrive(new RequestSpec(0, "a", 100, 20, 0, SLO), 20);
        on.run(60);
        assertEquals(20, on.emitted.get(0L), "every token generated");
        assertEquals(Set.of(0), on.decodersOf(0), "decoded on the prefill instance");
        assertEquals(0, swapOuts(on, 0, 0), "no hand-off");

        MiniSim off = sim(false);
        off.arrive(new RequestSpec(0, "a", 100, 20, 0, SLO), 20);
        off.run(60);
        assertEquals(20, off.emitted.get(0L));
        assertEquals(Set.of(1), off.decodersOf(0), "without the role: the decode instance");
        assertEquals(1, swapOuts(off, 0, 0), "after a hand-off");
    }

    @Test
    void aQueuedPrefillSendsTheLocalDecodesToTheDecodeInstanceFirst() {
        MiniSim sim = sim(true);
        sim.arrive(new RequestSpec(0, "a", 100, 200, 0, SLO), 200);  // about 10 s of decode steps
        sim.arrive(new RequestSpec(1, "b", 100, 20, 2.0, SLO), 20);
        sim.run(120);
        assertEquals(200, sim.emitted.get(0L), "the handed-off request still finishes");
        assertEquals(20, sim.emitted.get(1L));
        assertEquals(Set.of(0, 1), sim.decodersOf(0), "decoded on the prefill instance until b queued, then on the decode instance");
        assertEquals(1, swapOuts(sim, 0, 0), "one hand-off");
        int handOff = indexOf(sim, d -> d instanceof Decision.SwapOut s && s.requests().contains(0L));
        int prefillB = indexOf(sim, d -> d instanceof Decision.RunPrefill p && p.requests().contains(1L));
        assertTrue(handOff >= 0 && handOff < prefillB, "the hand-off is issued before b's prefill: " + handOff + " < " + prefillB);
        assertEquals(Set.of(0), sim.decodersOf(1), "b, prefilled with nothing queued behind it, decodes where it was prefilled");
    }
}
