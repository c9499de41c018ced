package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;
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

    /** Reading a run back (the TTFT tail of the 16-function H100 run) needs every event and what it yielded. */
    @Test
    void atDebugTheLoopTracesEachEventAndTheDecisionsItYielded() throws Exception {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(DecisionTrace.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { lines.add(r.getMessage()); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        java.util.logging.Level before = jul.getLevel();
        jul.addHandler(capture);
        try {
            jul.setLevel(java.util.logging.Level.INFO);
            runOneArrival();
            assertEquals(List.of(), lines, "off below DEBUG");
            jul.setLevel(java.util.logging.Level.FINE);
            runOneArrival();
            String arrival = lines.stream().filter(l -> l.contains("Arrival")).findFirst().orElseThrow(() -> new AssertionError(lines));
            assertTrue(arrival.startsWith("t=2.500 "), arrival);
            assertTrue(arrival.contains("LoadModel[instance=0, model=m"), "the decisions the arrival yielded: " + arrival);
        } finally {
            jul.removeHandler(capture);
            jul.setLevel(before);
        }
    }

    private static void runOneArrival() throws Exception {
        try (SchedulerLoop loop = new SchedulerLoop(() -> 2.5, new MeasuredCostModel(),
                new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 1L << 30), SchedulerConfig.defaults(),
                new SchedulerListener() {}, d -> {}, (id, state) -> {})) {
            loop.call(s -> {
                s.addModel(new ModelSpec("m", 1 << 20, 1024));
                return s.handle(new Event.Arrival(new RequestSpec(1, "m", 4, 4, 2.5, SloTargets.PAPER_DEFAULT)));
            }).get(10, TimeUnit.SECONDS);
        }
    }
}
