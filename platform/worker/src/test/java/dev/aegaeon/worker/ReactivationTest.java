package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An evicted model whose engine survived (live requests hold KV in it) comes back without moving a
 * byte. That re-activation must not count as a switch nor teach the cost model that loading the
 * model is nearly free (the first GPU run switched ~520 times per model because of exactly that).
 */
class ReactivationTest {

    @Test
    void reactivationIsCountedApartAndLeavesTheLoadEstimateAlone() throws Exception {
        var config = SyntheticShapes.config("tiny-llama");
        long bytes = 1L << 30; // what the scheduler says the load moves
        try (CpuBackend backend = new CpuBackend()) {
            ModelRuntime m = new ModelRuntime(Reference.synthetic("r", "tiny-llama", 2), "r#1", config, bytes, 64,
                    Optional.empty(), Optional.empty(), backend, new EngineOptions(16, 8, null), 0);
            MeasuredCostModel cost = new MeasuredCostModel();
            LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
            try (EngineExecutor executor = new EngineExecutor(name -> m, new ConcurrentHashMap<>(), events::add, cost, () -> 0)) {
                executor.submit(new Decision.LoadModel(0, "r#1", bytes, false));
                assertTrue(events.poll(60, TimeUnit.SECONDS) instanceof Event.LoadDone);
                double afterRealLoad = cost.loadSeconds("r#1", bytes);

                m.requestStarted(0); // a live request keeps the engine (its KV) through the eviction
                executor.submit(new Decision.EvictModel(0, "r#1"));
                assertTrue(m.status(1, 0).heldAfterEviction(), "the engine still occupies the device");

                for (int i = 0; i < 3; i++) {
                    executor.submit(new Decision.LoadModel(0, "r#1", bytes, false));
                    assertTrue(events.poll(60, TimeUnit.SECONDS) instanceof Event.LoadDone);
                    executor.submit(new Decision.EvictModel(0, "r#1"));
                }
                executor.submit(new Decision.LoadModel(0, "r#1", bytes, false));
                assertTrue(events.poll(60, TimeUnit.SECONDS) instanceof Event.LoadDone);

                ModelStatus s = m.status(1, 0);
                assertEquals(1, s.switches(), "only the load that built the engine moved weights");
                assertEquals(4, s.reactivations());
                assertFalse(s.heldAfterEviction());
                assertEquals(afterRealLoad, cost.loadSeconds("r#1", bytes), "re-activations are not load samples");

                m.requestEnded(0, Double.NaN);
            } finally {
                m.closeAll();
            }
        }
    }
}
