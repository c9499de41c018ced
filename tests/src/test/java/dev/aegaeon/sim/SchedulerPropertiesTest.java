package dev.aegaeon.sim;

import dev.aegaeon.scheduler.AegaeonScheduler;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.scheduler.SloTargets;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Properties of the scheduler over random traces, layouts and configurations (QuickTheories, fixed
 * seed so CI is reproducible; shrinking reports the smallest failing case). Each case simulates a
 * short trace on the real cost model, so the whole class stays within a few seconds.
 */
class SchedulerPropertiesTest {
    private static final Profiles PROFILES = Profiles.bundled();
    private static final List<CatalogModel> ARCHS = List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B);

    /** One random scenario: models, per-model rate, GPUs (1 = colocated), feature flags, seed. */
    private record Case(int models, double rate, int gpus, boolean multiResident, boolean keepKv, long seed, boolean tight) {
        Trace trace(double duration) {
            Map<String, CatalogModel> ms = WorkloadGenerator.mix(ARCHS, models);
            Map<String, Double> rates = new HashMap<>();
            ms.keySet().forEach(m -> rates.put(m, rate));
            return WorkloadGenerator.poisson(ms, rates, duration, SloTargets.PAPER_DEFAULT, seed);
        }

        SchedulerFactory policy() {
            SchedulerConfig c = SchedulerConfig.defaults().withMultiResident(multiResident).withKeepKvResident(keepKv);
            SchedulerFactory f = gpus == 1 ? Policies.colocated(1, 1, GpuKind.H800, c) : Policies.aegaeon(gpus, GpuKind.H800, c);
            // Tight: 34 GB per GPU holds one 13B model (26 GB) and little KV, forcing evictions, swaps and split groups.
            return tight ? Policies.withMemory(f, 34_000_000_000L) : f;
        }
    }

    /** Audits the notification stream: tokens in order and once, one terminal state per request. */
    private static final class Audit implements SchedulerListener {
        final Map<Long, Integer> next = new HashMap<>();
        final Map<Long, RequestState> end = new HashMap<>();
        String violation;

        @Override
        public void onToken(long id, int index, double time) {
            int expected = next.getOrDefault(id, 0);
            if (index != expected && violation == null) violation = "request " + id + " token " + index + " but expected " + expected;
            if (end.containsKey(id) && violation == null) violation = "request " + id + " got a token after it ended";
            next.put(id, index + 1);
        }

        @Override
        public void onFinish(long id, RequestState state, double time) {
            if (end.put(id, state) != null && violation == null) violation = "request " + id + " ended twice";
        }
    }

    private static Simulation.Result simulate(Case c, Trace trace, Audit audit, double drain) {
        SchedulerFactory p = c.policy();
        long[] memory = p.instances().stream().mapToLong(i -> i.memoryBytes()).toArray();
        String[] overCommit = {null};
        MemoryAuditor auditor = new MemoryAuditor(trace, memory);
        SchedulerListener both = new SchedulerListener() {
            @Override
            public void onToken(long id, int index, double time) {
                audit.onToken(id, index, time);
            }

            @Override
            public void onFinish(long id, RequestState state, double time) {
                audit.onFinish(id, state, time);
                auditor.onFinish(id, state, time);
            }
        };
        Simulation.Result r = Simulation.run(trace, new CostModels(PROFILES, GpuKind.H800).forModels(trace.models()), p, drain, both, s -> {
            AegaeonScheduler a = (AegaeonScheduler) s;
            for (int i = 0; i < memory.length; i++) {
                if (a.reservedBytes(i) > memory[i] && overCommit[0] == null) overCommit[0] = "instance " + i + " holds " + a.reservedBytes(i);
            }
        }, auditor::tap);
        assertEquals(null, overCommit[0], "the scheduler's reservations never exceed an instance's memory");
        assertEquals(null, auditor.violation, "memory recomputed from the decisions never exceeds an instance's memory: " + c);
        return r;
    }

    private static org.quicktheories.core.Gen<Case> cases(int maxModels, double maxRate) {
        return integers().between(1, maxModels).zip(integers().between(1, 100), integers().between(1, 4), booleans().all(),
                (m, r, g, multi) -> new Object[] {m, r, g, multi}).zip(booleans().all(), longs().between(0, 1_000_000),
                (o, keep, seed) -> new Object[] {o[0], o[1], o[2], o[3], keep, seed}).zip(booleans().all(),
                (o, tight) -> new Case((int) o[0], maxRate * (int) o[1] / 100.0, (int) o[2], (boolean) o[3], (boolean) o[4], (long) o[5], tight));
    }

    @Test
    void everyTokenOnceAndInOrderAndMemoryNeverOverCommitted() {
        qt().withFixedSeed(42).withExamples(25).forAll(cases(8, 0.4)).checkAssert(c -> {
            Trace trace = c.trace(60);
            Audit audit = new Audit();
            simulate(c, trace, audit, 120);
            assertEquals(null, audit.violation, c.toString());
            for (var e : audit.end.entrySet()) {
                if (e.getValue() == RequestState.FINISHED) {
                    int id = (int) (long) e.getKey();
                    assertEquals(trace.outputTokens()[id], audit.next.get(e.getKey()), "a finished request got all its tokens: " + c);
                }
            }
        });
    }

    @Test
    void kvCountedInPagesIsNeverOverCommittedEither() {
        // 1 MiB pages: 18 tokens of Qwen2.5-7B, 9 of Yi-1.5-9B, 1 of Llama-2-13B (819,200 bytes a token).
        qt().withFixedSeed(43).withExamples(15).forAll(cases(8, 0.4)).checkAssert(c -> {
            Trace trace = c.trace(60).withKvPageBytes(1L << 20);
            Audit audit = new Audit();
            simulate(c, trace, audit, 120);
            assertEquals(null, audit.violation, c.toString());
        });
    }

    @Test
    void noRequestStarvesBelowCapacity() {
        // Below capacity: at most 2 models per GPU at <= 0.1 req/s each (a GPU sustains several times that).
        qt().withFixedSeed(7).withExamples(20).forAll(cases(8, 0.1)).assuming(c -> c.models <= 2 * c.gpus).checkAssert(c -> {
            Trace trace = c.trace(60);
            Audit audit = new Audit();
            simulate(c, trace, audit, 100_000);
            for (int i = 0; i < trace.requests().size(); i++) {
                assertEquals(RequestState.FINISHED, audit.end.get((long) i), "request " + i + " finished: " + c);
            }
        });
    }

    @Test
    void sameSeedSameResult() {
        qt().withFixedSeed(3).withExamples(10).forAll(cases(6, 0.3)).checkAssert(c -> {
            Simulation.Result a = simulate(c, c.trace(40), new Audit(), 100);
            Simulation.Result b = simulate(c, c.trace(40), new Audit(), 100);
            assertEquals(a.slo(), b.slo(), c.toString());
            assertEquals(a.events(), b.events());
            assertEquals(a.busyGpuSeconds(), b.busyGpuSeconds());
        });
    }

    @Test
    void overloadDegradesButStillServesEveryone() {
        Case c = new Case(40, 0.5, 2, true, true, 1, false);
        Audit audit = new Audit();
        Simulation.Result r = simulate(c, c.trace(30), audit, 100_000);
        assertEquals(r.slo().requests(), r.slo().finished(), "backlog drains eventually");
        assertTrue(r.slo().attainment() < 0.9, "20 req/s on 2 GPUs cannot meet the SLOs: " + r.slo());
    }
}
