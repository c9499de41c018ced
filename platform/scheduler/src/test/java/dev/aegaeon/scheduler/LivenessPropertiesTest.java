package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Liveness: the scheduler never waits for an outside event while it has work. After every event,
 * if live requests remain, at least one decision must be outstanding (a compute step, a load or a
 * swap whose completion will wake the scheduler again). Memory is sized so every request fits
 * beside any one model, so "nothing outstanding" can only mean a stranded request. Scenarios mix
 * roles, paper and multi-resident modes, and decode memory tight enough that idle weights must be
 * evicted before swapped-out KV fits. Also: every live request counts as work on exactly one
 * instance ({@link PoolScheduler#workOn}), which the pool's stall watchdog relies on.
 */
class LivenessPropertiesTest {
    private static final long GB = 1_000_000_000L;
    private static final long MB = 1_000_000L;

    @Test
    void workPendingAlwaysHasADecisionOutstanding() {
        qt().withFixedSeed(5).withExamples(120)
                .forAll(longs().between(0, 1_000_000), integers().between(1, 3), booleans().all(), booleans().all())
                .checkAssert((seed, decoders, colocated, paperMode) -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    List<ModelSpec> models = new ArrayList<>();
                    int modelCount = 2 + rnd.nextInt(3);
                    for (int m = 0; m < modelCount; m++) models.add(new ModelSpec("m" + m, (20 + rnd.nextInt(11)) * GB, (1 + rnd.nextInt(3)) * MB));
                    // Two models' weights plus a few GB: a third model or a long prompt forces evictions.
                    long memory = 60 * GB + rnd.nextInt(8) * GB;
                    List<InstanceSpec> inst = new ArrayList<>();
                    int n = colocated ? decoders : decoders + 1;
                    for (int i = 0; i < n; i++) {
                        InstanceSpec.Role role = colocated ? InstanceSpec.Role.COLOCATED : i == 0 ? InstanceSpec.Role.PREFILL : InstanceSpec.Role.DECODE;
                        inst.add(new InstanceSpec(i, role, 1, memory));
                    }
                    FixedCost cost = new FixedCost(0.05, 0.02, 0.4, 2e-11);
                    MiniSim sim = new MiniSim(cost);
                    // Half the disaggregated cases also let the prefill instance decode while idle.
                    boolean idleDecode = !colocated && seed % 2 == 1;
                    SchedulerConfig config = (paperMode ? SchedulerConfig.paper() : SchedulerConfig.defaults()).withPrefillDecodesWhenIdle(idleDecode);
                    AegaeonScheduler s = new AegaeonScheduler(sim.clock, cost, models, inst, config, null);
                    sim.scheduler = s;
                    int requests = 25;
                    for (int id = 0; id < requests; id++) {
                        double at = rnd.nextDouble() * 30;
                        int out = 1 + rnd.nextInt(200);
                        // Up to 4000 prompt tokens at <= 3 MB/token: <= 12.6 GB of KV with its output.
                        sim.arrive(new RequestSpec(id, models.get(rnd.nextInt(modelCount)).name(), 1 + rnd.nextInt(4000), out, at, SloTargets.PAPER_DEFAULT), out);
                    }
                    sim.afterEach = () -> {
                        // The watchdog's view: every live request is work on exactly one instance.
                        int work = 0;
                        for (int i = 0; i < n; i++) work += s.workOn(i);
                        assertEquals(s.liveRequests(), work, "live requests vs work on the instances at t=" + sim.clock.now);
                        if (s.liveRequests() > 0 && sim.outstanding() == 0) {
                            fail("t=" + sim.clock.now + ": " + s.liveRequests() + " live request(s) and no decision outstanding (seed " + seed
                                    + ", " + n + " instances, colocated " + colocated + ", paper " + paperMode + ", idle decode " + idleDecode + ")");
                        }
                    };
                    sim.run(100_000);
                    assertEquals(0, s.liveRequests(), "every request ended");
                });
    }
}
