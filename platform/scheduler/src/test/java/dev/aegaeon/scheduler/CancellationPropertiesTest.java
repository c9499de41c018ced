package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Random arrivals and cancellations at random moments (queued, prefilling, decoding, mid-swap):
 * every request ends exactly once, nothing leaks (no live request, only weights reserved at the
 * end), and memory never exceeds an instance's size.
 */
class CancellationPropertiesTest {
    private static final long GB = 1_000_000_000L;
    private static final List<ModelSpec> MODELS = List.of(new ModelSpec("a", 20 * GB, 2_000_000), new ModelSpec("b", 25 * GB, 1_000_000),
            new ModelSpec("c", 15 * GB, 3_000_000));

    @Test
    void cancellationsNeverLeakOrDoubleEnd() {
        qt().withFixedSeed(11).withExamples(60).forAll(longs().between(0, 1_000_000), integers().between(1, 3), booleans().all(), booleans().all())
                .checkAssert((seed, instances, colocated, paperMode) -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    FixedCost cost = new FixedCost(0.05, 0.02, 0.4, 2e-11);
                    MiniSim sim = new MiniSim(cost);
                    List<InstanceSpec> inst = new ArrayList<>();
                    int n = colocated ? instances : instances + 1;
                    for (int i = 0; i < n; i++) {
                        InstanceSpec.Role role = colocated ? InstanceSpec.Role.COLOCATED : i == 0 ? InstanceSpec.Role.PREFILL : InstanceSpec.Role.DECODE;
                        inst.add(new InstanceSpec(i, role, 1, 60 * GB));
                    }
                    Map<Long, Integer> ends = new HashMap<>();
                    SchedulerListener l = new SchedulerListener() {
                        @Override
                        public void onFinish(long id, RequestState state, double time) {
                            ends.merge(id, 1, Integer::sum);
                        }
                    };
                    AegaeonScheduler s = new AegaeonScheduler(sim.clock, cost, MODELS, inst,
                            paperMode ? SchedulerConfig.paper() : SchedulerConfig.defaults(), l);
                    sim.scheduler = s;
                    int requests = 30;
                    for (int id = 0; id < requests; id++) {
                        double at = rnd.nextDouble() * 20;
                        int out = 1 + rnd.nextInt(300);
                        sim.arrive(new RequestSpec(id, MODELS.get(rnd.nextInt(3)).name(), 1 + rnd.nextInt(2000), out, at, SloTargets.PAPER_DEFAULT), out);
                        if (rnd.nextInt(3) == 0) sim.at(at + rnd.nextDouble() * 10, new Event.Cancel(id));
                    }
                    double[] peak = new double[n];
                    sim.afterEach = () -> {
                        for (int i = 0; i < n; i++) peak[i] = Math.max(peak[i], s.reservedBytes(i));
                    };
                    sim.run(10_000);
                    assertEquals(requests, ends.size(), "every request ended");
                    assertTrue(ends.values().stream().allMatch(c -> c == 1), "no request ended twice");
                    assertEquals(0, s.liveRequests());
                    for (int i = 0; i < n; i++) {
                        long weights = s.residentModels(i).stream().mapToLong(m -> MODELS.stream().filter(x -> x.name().equals(m))
                                .findFirst().orElseThrow().weightBytes()).sum();
                        assertEquals(weights, s.reservedBytes(i), "only weights remain on instance " + i);
                        assertTrue(peak[i] <= 60 * GB);
                    }
                });
    }
}
