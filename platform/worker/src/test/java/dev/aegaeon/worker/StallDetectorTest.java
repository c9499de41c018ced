package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.scheduler.SloTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The pool's stall watchdog: an instance with work and no activity past the bound is warned about once and counted. */
class StallDetectorTest {

    @Test
    void workWithoutActivityPastTheBoundIsOneStallUntilActivityResumes() {
        StallDetector d = new StallDetector(2, 10, 0);
        int[] work = {0, 0};
        assertTrue(d.check(100, i -> work[i]).isEmpty(), "no work, no stall however long the silence");
        work[0] = 3;
        assertTrue(d.check(105, i -> work[i]).isEmpty(), "silence counts from when the work was first seen idle: 5 s");
        List<StallDetector.Stall> found = d.check(111, i -> work[i]);
        assertEquals(1, found.size());
        assertEquals(new StallDetector.Stall(0, 3, 0, 11, "none"), found.getFirst());
        assertTrue(d.check(200, i -> work[i]).isEmpty(), "reported once per episode");
        d.issued(new Decision.LoadModel(0, "a", 1, false), 201);
        assertTrue(d.check(205, i -> work[i]).isEmpty(), "activity ends the episode");
        found = d.check(212, i -> work[i]);
        assertEquals(List.of(new StallDetector.Stall(0, 3, 1, 11, "LoadModel")), found, "a load that never completes is a stall too");
        d.completed(new Event.LoadDone(0, "a"), 213);
        assertTrue(d.check(220, i -> work[i]).isEmpty());
    }

    @Test
    void evictionsNeedNoCompletionAndArrivalsNameNoInstance() {
        StallDetector d = new StallDetector(1, 10, 0);
        d.issued(new Decision.EvictModel(0, "a"), 1);
        d.completed(new Event.Arrival(new RequestSpec(1, "a", 1, 1, 0, SloTargets.PAPER_DEFAULT)), 50);
        assertEquals(List.of(new StallDetector.Stall(0, 1, 0, 59, "EvictModel")), d.check(60, i -> 1));
    }

    /** Captures the loop's warnings (System.Logger goes to java.util.logging here). */
    private static final class Captured extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void theLoopWarnsOnceWithTheInstanceStateAndCountsTheStall() throws Exception {
        double[] now = {0};
        List<Decision> submitted = new CopyOnWriteArrayList<>();
        // An executor that takes decisions and never completes them: the device hangs.
        dev.aegaeon.scheduler.Executor executor = submitted::add;
        Logger jul = Logger.getLogger(SchedulerLoop.class.getName());
        Captured log = new Captured();
        jul.addHandler(log);
        try (SchedulerLoop loop = new SchedulerLoop(() -> now[0], new MeasuredCostModel(),
                List.of(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 1L << 30)), SchedulerConfig.defaults(), PoolPolicy.AEGAEON,
                new SchedulerListener() {}, executor, (id, state) -> {}, 30)) {
            loop.call(s -> {
                s.addModel(new ModelSpec("a", 1 << 20, 1024));
                return List.of();
            }).get(10, TimeUnit.SECONDS);
            loop.post(new Event.Arrival(new RequestSpec(1, "a", 10, 5, 0, SloTargets.PAPER_DEFAULT)));
            sync(loop);
            assertTrue(submitted.stream().anyMatch(d -> d instanceof Decision.LoadModel), "the model's load was issued: " + submitted);
            now[0] = 20;
            loop.checkStalls();
            sync(loop);
            assertEquals(0, loop.stalls(), "20 s of silence is within the 30 s bound");
            now[0] = 31;
            loop.checkStalls();
            loop.checkStalls();
            sync(loop);
            assertEquals(1, loop.stalls());
            List<String> warnings = new ArrayList<>();
            for (LogRecord r : log.records) warnings.add(r.getMessage());
            assertEquals(1, warnings.size(), warnings.toString());
            String w = warnings.getFirst();
            assertTrue(w.contains("instance 0") && w.contains("1 request(s)") && w.contains("1 decision(s) outstanding")
                    && w.contains("LoadModel"), w);
            // The load completes: the prefill is issued and hangs too, a second episode.
            loop.post(new Event.LoadDone(0, "a"));
            sync(loop);
            now[0] = 70;
            loop.checkStalls();
            sync(loop);
            assertEquals(2, loop.stalls());
        } finally {
            jul.removeHandler(log);
        }
    }

    private static void sync(SchedulerLoop loop) throws Exception {
        loop.call(s -> List.of()).get(10, TimeUnit.SECONDS);
    }
}
