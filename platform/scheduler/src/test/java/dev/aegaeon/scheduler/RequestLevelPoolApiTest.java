package dev.aegaeon.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The worker-facing half of the request-level baseline: models added at run time, keep-warm, scale-to-zero. */
class RequestLevelPoolApiTest {
    private static final long GB = 1L << 30;
    private final ManualClock clock = new ManualClock();
    private final RequestLevelScheduler s = new RequestLevelScheduler(clock, List.of(),
            List.of(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 10 * GB)), 256, SchedulerListener.NONE);
    private final ModelSpec a = new ModelSpec("a", 4 * GB, 1000), b = new ModelSpec("b", 4 * GB, 1000);

    @Test
    void modelsAddedAtRunTimeAreServedAndAConflictingSpecIsRefused() {
        s.start();
        s.addModel(a);
        s.addModel(a); // the same spec again: no-op
        assertThrows(IllegalArgumentException.class, () -> s.addModel(new ModelSpec("a", 5 * GB, 1000)));
        List<Decision> d = s.handle(new Event.Arrival(new RequestSpec(1, "a", 10, 5, 0, SloTargets.PAPER_DEFAULT)));
        assertEquals(new Decision.LoadModel(0, "a", 4 * GB, false), d.getFirst());
    }

    @Test
    void preloadFillsAnEmptyIdleInstanceOnlyAndNeverEvicts() {
        s.addModel(a);
        s.addModel(b);
        assertThrows(IllegalArgumentException.class, () -> s.preload("unknown"));
        assertEquals(List.of(new Decision.LoadModel(0, "a", 4 * GB, false)), s.preload("a"));
        s.handle(new Event.LoadDone(0, "a"));
        assertEquals(List.of(), s.preload("a"), "already held");
        assertEquals(List.of(), s.preload("b"), "the instance holds a: keep-warm does not evict it");
    }

    @Test
    void evictIdleDropsAnIdleModelButNeverOneWithRequests() {
        s.addModel(a);
        s.addModel(b);
        List<Decision> d = s.handle(new Event.Arrival(new RequestSpec(1, "a", 10, 2, 0, SloTargets.PAPER_DEFAULT)));
        assertInstanceOf(Decision.LoadModel.class, d.getFirst());
        assertEquals(List.of(), s.evictIdle("a"), "loading, with a request queued");
        d = s.handle(new Event.LoadDone(0, "a"));
        Decision.RunPrefill p = assertInstanceOf(Decision.RunPrefill.class, d.getFirst());
        assertEquals(List.of(), s.evictIdle("a"), "a request is running");
        d = s.handle(new Event.PrefillDone(0, p.groupId(), Set.of()));
        Decision.RunDecodeStep step = assertInstanceOf(Decision.RunDecodeStep.class, d.getFirst());
        s.handle(new Event.DecodeStepDone(0, step.stepId(), Set.of())); // second token = max: finished
        assertEquals(null, s.state(1));
        assertEquals(List.of(new Decision.EvictModel(0, "a")), s.evictIdle("a"));
        assertEquals(List.of(), s.evictIdle("a"), "already gone");
        // the freed instance takes the next model with nothing to evict first
        d = s.handle(new Event.Arrival(new RequestSpec(2, "b", 10, 2, 1, SloTargets.PAPER_DEFAULT)));
        assertEquals(List.of(new Decision.LoadModel(0, "b", 4 * GB, false)), d);
        assertTrue(s.evictIdle("a").isEmpty());
    }
}
