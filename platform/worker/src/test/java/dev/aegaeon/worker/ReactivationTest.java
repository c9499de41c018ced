package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eviction really frees the weights, even when live requests keep the engine (their KV) alive, so
 * the scheduler's byte budget matches the device; the next load copies them again and counts as a
 * switch. A load that finds the weights resident moves nothing: it must not count as a switch nor
 * teach the cost model that loading the model is nearly free (the first GPU run switched ~520 times
 * per model because flag-flip "loads" of a few milliseconds were fed to it).
 */
class ReactivationTest {

    @Test
    void evictionReleasesWeightsAndOnlyRealCopiesCountAsLoads() throws Exception {
        var config = SyntheticShapes.config("tiny-llama");
        long bytes = 1L << 30; // what the scheduler says the load moves
        try (CpuBackend backend = new CpuBackend()) {
            ModelRuntime m = new ModelRuntime(Reference.synthetic("r", "tiny-llama", 2), "r#1", config, bytes, 64,
                    Optional.empty(), Optional.empty(), List.of(backend), new EngineOptions(16, 8, null), new HostImages(), 0);
            MeasuredCostModel cost = new MeasuredCostModel();
            LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
            DeviceInstance device = new DeviceInstance(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 1L << 40), backend);
            try (EngineExecutor executor = new EngineExecutor(name -> m, new ConcurrentHashMap<>(), events::add, cost, () -> 0,
                    List.of(device), new HandoffStats())) {
                load(executor, events, bytes);
                assertTrue(m.weightsOnDevice());

                m.requestStarted(0); // a live request keeps the engine (its KV) through the eviction
                executor.submit(new Decision.EvictModel(0, "r#1"));
                awaitCopyThread(device); // the memory is freed on the copy thread, in order with loads
                assertFalse(m.weightsOnDevice(), "evicted weights leave the device although the engine stays");
                assertTrue(m.status(1, 0).kvPoolHeldAfterEviction());

                load(executor, events, bytes);
                assertTrue(m.weightsOnDevice());
                ModelStatus s = m.status(1, 0);
                assertEquals(2, s.switches(), "the reload copied the weights: a real load");
                assertEquals(0, s.reactivations());
                assertFalse(s.kvPoolHeldAfterEviction());

                double estimate = cost.loadSeconds("r#1", bytes);
                for (int i = 0; i < 3; i++) load(executor, events, bytes); // already resident: nothing moves
                s = m.status(1, 0);
                assertEquals(2, s.switches());
                assertEquals(3, s.reactivations());
                assertEquals(estimate, cost.loadSeconds("r#1", bytes), "re-activations are not load samples");

                m.requestEnded(0, Double.NaN);
            } finally {
                m.closeAll();
            }
        }
    }

    /**
     * The eviction itself touches no device: it only stops counting the model there and hands back
     * the work that frees the memory, which the executor runs on the copy thread (the H100's
     * 16-function run spent its scheduler thread waiting for loads inside per-weight releases).
     */
    @Test
    void evictionHandsTheDeviceWorkToItsCaller() throws Exception {
        var config = SyntheticShapes.config("tiny-llama");
        long bytes = 1L << 30;
        try (CpuBackend backend = new CpuBackend()) {
            ModelRuntime m = new ModelRuntime(Reference.synthetic("r", "tiny-llama", 2), "r#1", config, bytes, 64,
                    Optional.empty(), Optional.empty(), List.of(backend), new EngineOptions(16, 8, null), new HostImages(), 0);
            try {
                m.load(0);
                m.requestStarted(0); // its KV keeps the engine: only the weights go
                Runnable releaseWeights = m.evict(0);
                assertTrue(m.weightsOnDevice(), "nothing freed before the caller runs the work");
                releaseWeights.run();
                assertFalse(m.weightsOnDevice());
                assertTrue(m.status(1, 0).kvPoolHeldAfterEviction(), "the engine and its KV stay");

                m.load(0);
                m.requestEnded(0, Double.NaN); // no live request: the eviction closes the engine
                Runnable close = m.evict(0);
                assertFalse(m.status(1, 0).kvPoolHeldAfterEviction(), "the engine is no longer the replica's");
                close.run();
                assertFalse(m.weightsOnDevice());
                m.load(0);
                assertTrue(m.weightsOnDevice(), "a load after the close builds a new engine");
            } finally {
                m.closeAll();
            }
        }
    }

    private static void awaitCopyThread(DeviceInstance device) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        device.copy(done::countDown);
        assertTrue(done.await(60, TimeUnit.SECONDS));
    }

    private static void load(EngineExecutor executor, LinkedBlockingQueue<Event> events, long bytes) throws InterruptedException {
        executor.submit(new Decision.LoadModel(0, "r#1", bytes, false));
        assertTrue(events.poll(60, TimeUnit.SECONDS) instanceof Event.LoadDone);
    }
}
