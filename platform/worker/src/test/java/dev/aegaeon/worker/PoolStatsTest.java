package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pool's device-time counters agree with the per-model statuses and only grow. */
class PoolStatsTest {

    @Test
    void countersStartAtZeroAndAddUpOverModels() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            PoolStats before = pool.stats();
            assertEquals(0, before.busySeconds());
            assertEquals(0, before.switches());
            assertEquals(PoolPolicy.AEGAEON, before.policy());
            assertEquals("cpu", before.backend());

            pool.register(Reference.synthetic("x", "tiny-llama", 1));
            pool.register(Reference.synthetic("y", "tiny-qwen2", 2));
            for (String m : new String[] {"x", "y", "x"}) {
                CollectingSink sink = new CollectingSink();
                pool.submit(m, Reference.prompt(m.charAt(0), 6), Reference.greedy(5), sink);
                sink.await();
            }
            CancellationTest.awaitIdle(pool, "x");
            CancellationTest.awaitIdle(pool, "y");
            PoolStats after = pool.stats();
            assertEquals(2, after.models());
            assertTrue(after.busySeconds() > 0, "steps ran");
            long switches = pool.status("x").switches() + pool.status("y").switches();
            assertTrue(switches >= 2);
            assertEquals(switches, after.switches(), "pool switches are the models' switches");
            assertEquals(pool.status("x").loadSeconds() + pool.status("y").loadSeconds(), after.loadSeconds(), 1e-6);
            assertEquals(2, after.openHostImages());

            CollectingSink more = new CollectingSink();
            pool.submit("y", Reference.prompt(3, 6), Reference.greedy(5), more);
            more.await();
            assertTrue(pool.busySeconds() > after.busySeconds(), "more steps, more busy time");

            pool.unregister("x");
            assertEquals(after.switches(), pool.stats().switches(), "an unregistered model's switches stay counted");
        }
    }
}
