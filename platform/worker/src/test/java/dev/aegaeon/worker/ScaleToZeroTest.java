package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SloTargets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Idle models decay HOT -> WARM -> COLD on the injected clock; minScale 1 stays HOT. */
class ScaleToZeroTest {
    /** Whole milliseconds, moved only by the test. */
    private final AtomicLong millis = new AtomicLong(1_000_000);
    private final Clock clock = () -> millis.get() / 1000.0;

    private ModelPool pool() {
        return new ModelPool(Reference.options().withClock(clock, Duration.ZERO).withScheduler(SchedulerConfig.defaults()));
    }

    private static ModelFunction function(String name, int minScale) {
        return new ModelFunction(name, new WeightOrigin.Synthetic("tiny-mistral", 3), SloTargets.PAPER_DEFAULT, minScale,
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    @Test
    void idleModelLeavesTheDeviceThenTheHostCache() throws Exception {
        try (ModelPool pool = pool()) {
            assertEquals(ModelState.COLD, pool.register(function("z", 0)).state());
            CollectingSink sink = new CollectingSink();
            pool.submit("z", Reference.prompt(9, 5), Reference.greedy(4), sink);
            sink.await();
            CancellationTest.awaitIdle(pool, "z");
            assertEquals(ModelState.HOT, pool.status("z").state());
            assertEquals(1, pool.status("z").switches());

            millis.addAndGet(9_000);
            pool.tick();
            assertEquals(ModelState.HOT, pool.status("z").state(), "not idle long enough");
            millis.addAndGet(2_000);
            pool.tick();
            assertEquals(ModelState.WARM, pool.status("z").state(), "idle 11 s > 10 s: off the device");
            millis.addAndGet(50_000);
            pool.tick();
            assertEquals(ModelState.COLD, pool.status("z").state(), "idle 61 s > 60 s: out of the host cache");

            CollectingSink again = new CollectingSink();
            pool.submit("z", Reference.prompt(9, 5), Reference.greedy(4), again);
            again.await();
            assertEquals(sink.tokens().length, again.tokens().length);
            CancellationTest.awaitIdle(pool, "z");
            assertEquals(ModelState.HOT, pool.status("z").state(), "a request brings it back");
            assertEquals(2, pool.status("z").switches());
        }
    }

    @Test
    void minScaleOneIsLoadedAtRegistrationAndNeverDecays() throws Exception {
        try (ModelPool pool = pool()) {
            pool.register(function("pinned", 1));
            for (int i = 0; i < 500 && pool.status("pinned").state() != ModelState.HOT; i++) Thread.sleep(20);
            assertEquals(ModelState.HOT, pool.status("pinned").state());
            millis.addAndGet(3_600_000);
            pool.tick();
            assertEquals(ModelState.HOT, pool.status("pinned").state());
        }
    }

    @Test
    void aHugeIdleTimeNeitherFailsTheTickNorStopsOtherModelsDecaying() throws Exception {
        try (ModelPool pool = pool()) {
            pool.register(new ModelFunction("a-forever", new WeightOrigin.Synthetic("tiny-mistral", 3), SloTargets.PAPER_DEFAULT, 0,
                    Duration.ofHours(999_999_999_999L), Duration.ofHours(999_999_999_999L)));
            pool.register(function("z", 0));
            for (String name : new String[] {"a-forever", "z"}) {
                CollectingSink sink = new CollectingSink();
                pool.submit(name, Reference.prompt(9, 5), Reference.greedy(2), sink);
                sink.await();
                CancellationTest.awaitIdle(pool, name);
            }
            millis.addAndGet(11_000);
            pool.tick();
            assertEquals(ModelState.HOT, pool.status("a-forever").state());
            assertEquals(ModelState.WARM, pool.status("z").state(), "the other model still decays");
        }
    }
}
