package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.scheduler.InstanceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An eviction's free is queued on the device's copy thread behind the loads before it; a step that
 * finds the device short can see that memory is on its way back and wait for it (bounded) instead
 * of failing a request.
 */
class DeviceInstanceFreesTest {

    @Test
    void freesRunInOrderWithLoadsAndCanBeAwaited() throws Exception {
        try (CpuBackend backend = new CpuBackend(1)) {
            DeviceInstance d = new DeviceInstance(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 1L << 40), backend);
            try {
                CountDownLatch loadMayEnd = new CountDownLatch(1);
                List<String> order = Collections.synchronizedList(new ArrayList<>());
                d.copy(() -> {
                    try {
                        loadMayEnd.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    order.add("load");
                });
                d.free(() -> order.add("free"));
                assertEquals(1, d.pendingFrees(), "queued behind the load");
                assertFalse(d.awaitFrees(50), "still behind the load: the wait gives up at its bound");

                loadMayEnd.countDown();
                assertTrue(d.awaitFrees(30_000));
                assertEquals(0, d.pendingFrees());
                assertEquals(List.of("load", "free"), order);

                d.free(() -> { throw new IllegalStateException("a free that fails"); });
                assertTrue(d.awaitFrees(30_000), "a failed free is no longer pending either");
                assertTrue(d.awaitFrees(0), "nothing pending: no wait");
            } finally {
                d.stop();
            }
        }
    }
}
