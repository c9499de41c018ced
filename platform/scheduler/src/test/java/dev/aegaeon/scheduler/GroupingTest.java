package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grouped FCFS prefill: joining, opening at the least-loaded tail, switching only at group boundaries, prefetch. */
class GroupingTest {
    private static final long GB = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private final List<ModelSpec> models = List.of(new ModelSpec("a", 10 * GB, 100_000), new ModelSpec("b", 10 * GB, 100_000),
            new ModelSpec("c", 10 * GB, 100_000));

    private AegaeonScheduler scheduler(int prefill) {
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < prefill; i++) inst.add(new InstanceSpec(i, InstanceSpec.Role.PREFILL, 1, 72 * GB));
        inst.add(new InstanceSpec(prefill, InstanceSpec.Role.DECODE, 1, 72 * GB));
        return new AegaeonScheduler(clock, new FixedCost(1.0, 0.01, 0.5, 1e-12), models, inst, SchedulerConfig.defaults(), null);
    }

    private static Event arrival(long id, String model) {
        return new Event.Arrival(new RequestSpec(id, model, 100, 50, 0, SloTargets.PAPER_DEFAULT));
    }

    private static <T extends Decision> List<T> only(List<Decision> ds, Class<T> type) {
        return ds.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void sameModelJoinsUntilEightThenOpensANewGroupOnTheLeastLoadedInstance() {
        AegaeonScheduler s = scheduler(2);
        List<Decision> first = s.handle(arrival(0, "a"));
        assertEquals(List.of(new Decision.LoadModel(0, "a", 10 * GB, false)), first);
        for (int i = 1; i < 8; i++) assertTrue(s.handle(arrival(i, "a")).isEmpty(), "request " + i + " joins the loading group");
        // The ninth finds the group full and opens one on instance 1, which is idle (least loaded).
        assertEquals(List.of(new Decision.LoadModel(1, "a", 10 * GB, false)), s.handle(arrival(8, "a")));
        clock.now = 0.5;
        List<Decision.RunPrefill> run = only(s.handle(new Event.LoadDone(0, "a")), Decision.RunPrefill.class);
        assertEquals(1, run.size());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), run.getFirst().requests());
        assertEquals(RequestState.PREFILLING, s.state(0));
        assertEquals(RequestState.QUEUED, s.state(8));
    }

    @Test
    void startedGroupsAreNotJoinedAndSwitchesHappenOnlyAtGroupBoundaries() {
        AegaeonScheduler s = scheduler(1);
        s.handle(arrival(0, "a"));
        clock.now = 0.5;
        s.handle(new Event.LoadDone(0, "a"));  // group {0} of a starts
        // Another request of a arrives while that group runs: a new group (the started one is closed).
        assertTrue(s.handle(arrival(1, "a")).isEmpty());
        // b arrives: its group goes to the tail. Prefetch is decided when a group starts, so b's
        // load is issued at the next boundary, when a's second group starts.
        List<Decision> afterB = s.handle(arrival(2, "b"));
        assertTrue(only(afterB, Decision.RunPrefill.class).isEmpty(), "no compute while a's group runs");
        clock.now = 1.5;
        List<Decision> boundary = s.handle(new Event.PrefillDone(0, 1, Set.of()));
        List<Decision.RunPrefill> run = only(boundary, Decision.RunPrefill.class);
        assertEquals(1, run.size());
        assertEquals("a", run.getFirst().model(), "FCFS: a's second group before b's");
        List<Decision.LoadModel> loads = only(boundary, Decision.LoadModel.class);
        assertEquals(List.of(new Decision.LoadModel(0, "b", 10 * GB, true)), loads, "b prefetched when the group before it starts");
    }

    @Test
    void atMostOneScaleUpPerGroup() {
        AegaeonScheduler s = scheduler(1);
        int loads = 0;
        for (int i = 0; i < 8; i++) loads += only(s.handle(arrival(i, "c")), Decision.LoadModel.class).size();
        assertEquals(1, loads);
    }

    @Test
    void finishedPrefillIsHandedToADecoderThroughHostMemory() {
        AegaeonScheduler s = scheduler(1);
        s.handle(arrival(0, "a"));
        clock.now = 0.5;
        s.handle(new Event.LoadDone(0, "a"));
        clock.now = 1.5;
        List<Decision.SwapOut> out = only(s.handle(new Event.PrefillDone(0, 1, Set.of())), Decision.SwapOut.class);
        assertEquals(1, out.size());
        assertEquals(0, out.getFirst().instance());
        assertEquals(100L * 100_000, out.getFirst().bytes());
        clock.now = 1.6;
        List<Decision> handoff = s.handle(new Event.SwapDone(0, out.getFirst().swapId()));
        assertEquals(RequestState.SWAPPED_OUT, s.state(0));
        assertEquals(List.of(new Decision.LoadModel(1, "a", 10 * GB, false)), handoff, "decoder loads a before swapping the KV in");
        assertEquals(10 * GB, s.reservedBytes(1));
        assertEquals(10 * GB, s.reservedBytes(0), "prefill instance keeps only the weights");
        assertFalse(s.residentModels(1).isEmpty());
    }

    @Test
    void unknownModelIsAClearError() {
        AegaeonScheduler s = scheduler(1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.handle(arrival(0, "zzz")));
        assertTrue(e.getMessage().contains("unknown model zzz"));
    }
}
