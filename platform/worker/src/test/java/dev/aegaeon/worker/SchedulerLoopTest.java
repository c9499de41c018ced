package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulerLoopTest {

    /** Found on the H100: an eviction whose release threw dropped the prefill after it, and the device stalled. */
    @Test
    void aDecisionThatThrowsDoesNotDropTheOnesAfterIt() throws Exception {
        List<Decision> submitted = new CopyOnWriteArrayList<>();
        dev.aegaeon.scheduler.Executor executor = d -> {
            if (d instanceof Decision.EvictModel) throw new IllegalArgumentException("no allocation at offset 42");
            submitted.add(d);
        };
        try (SchedulerLoop loop = new SchedulerLoop(() -> 0.0, new MeasuredCostModel(),
                new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 1L << 30), SchedulerConfig.defaults(),
                new SchedulerListener() {}, executor, (id, state) -> {})) {
            Decision load = new Decision.LoadModel(0, "b", 1, false);
            Decision prefill = new Decision.RunPrefill(0, 7, "b", List.of(1L));
            loop.call(s -> List.of(new Decision.EvictModel(0, "a"), load, prefill)).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(load, prefill), submitted);
        }
    }
}
