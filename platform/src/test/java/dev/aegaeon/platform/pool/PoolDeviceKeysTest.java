package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import dev.aegaeon.worker.DeviceLayout;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The pool's device keys: defaults keep one colocated device; bad values name the key and the reason. */
class PoolDeviceKeysTest {

    private static Config config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withDefaultValues(values).build();
    }

    @Test
    void unsetKeysKeepOneColocatedDevice() {
        assertEquals(DeviceLayout.single(), PoolBackendFactory.layout(config(Map.of())));
    }

    @Test
    void allDevicesDisaggregatedWithTwoPrefillDevices() {
        DeviceLayout l = PoolBackendFactory.layout(config(Map.of("aegaeon.pool.devices", "all", "aegaeon.pool.mode", "disaggregated",
                "aegaeon.pool.prefill-devices", "2")));
        assertEquals(new DeviceLayout(0, DeviceLayout.Mode.DISAGGREGATED, 2), l);
        assertEquals(new DeviceLayout(3, DeviceLayout.Mode.COLOCATED, 1),
                PoolBackendFactory.layout(config(Map.of("aegaeon.pool.devices", "3", "aegaeon.pool.mode", "Colocated"))));
    }

    @Test
    void badValuesAreRefusedWithTheKeyAndTheReason() {
        var count = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.layout(config(Map.of("aegaeon.pool.devices", "two"))));
        assertTrue(count.getMessage().contains("aegaeon.pool.devices"), count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolBackendFactory.layout(config(Map.of("aegaeon.pool.devices", "0"))));
        var mode = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.layout(config(Map.of("aegaeon.pool.mode", "split"))));
        assertTrue(mode.getMessage().contains("colocated, disaggregated or hybrid"), mode.getMessage());
        var one = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.layout(config(Map.of("aegaeon.pool.mode", "disaggregated"))));
        assertTrue(one.getMessage().contains("at least 2 devices"), one.getMessage());
    }

    @Test
    void qmaxKeySetsTheQuotaCapAndRefusesNonsense() {
        var d = dev.aegaeon.scheduler.SchedulerConfig.defaults();
        assertEquals(d.withQmaxSeconds(2.0), PoolBackendFactory.scheduler(config(Map.of()), d));
        assertEquals(3.0, PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.qmax-seconds", "3")), d).qmaxSeconds());
        assertEquals(d.urgencyFactor(), PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.qmax-seconds", "3")), d).urgencyFactor());
        var bad = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.qmax-seconds", "0")), d));
        assertTrue(bad.getMessage().contains("aegaeon.pool.qmax-seconds"), bad.getMessage());
    }

    @Test
    void ttftBoundedRoundsKeyIsOffUnlessTurnedOnAndRefusesNonsense() {
        var d = dev.aegaeon.scheduler.SchedulerConfig.defaults();
        assertFalse(PoolBackendFactory.scheduler(config(Map.of()), d).ttftBoundedRounds());
        assertTrue(PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.ttft-bounded-rounds", "true")), d).ttftBoundedRounds());
        var bad = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.ttft-bounded-rounds", "sometimes")), d));
        assertTrue(bad.getMessage().contains("aegaeon.pool.ttft-bounded-rounds"), bad.getMessage());
    }

    @Test
    void prefillDecodesWhenIdleKeyIsOffUnlessTurnedOnAndRefusesNonsense() {
        var d = dev.aegaeon.scheduler.SchedulerConfig.defaults();
        assertFalse(PoolBackendFactory.scheduler(config(Map.of()), d).prefillDecodesWhenIdle());
        assertTrue(PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.prefill-decodes-when-idle", "TRUE ")), d).prefillDecodesWhenIdle());
        var bad = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.scheduler(config(Map.of("aegaeon.pool.prefill-decodes-when-idle", "1")), d));
        assertTrue(bad.getMessage().contains("aegaeon.pool.prefill-decodes-when-idle"), bad.getMessage());
    }

    @Test
    void peerHandoffKeyIsOnUnlessTurnedOffAndRefusesNonsense() {
        assertEquals(true, PoolBackendFactory.peerHandoff(config(Map.of())));
        assertEquals(true, PoolBackendFactory.peerHandoff(config(Map.of("aegaeon.pool.peer-handoff", " True"))));
        assertEquals(false, PoolBackendFactory.peerHandoff(config(Map.of("aegaeon.pool.peer-handoff", "false"))));
        var bad = assertThrows(IllegalArgumentException.class,
                () -> PoolBackendFactory.peerHandoff(config(Map.of("aegaeon.pool.peer-handoff", "yes"))));
        assertTrue(bad.getMessage().contains("aegaeon.pool.peer-handoff"), bad.getMessage());
    }

    @Test
    void stallAfterKeyDefaultsToThirtySecondsAndRefusesNonsense() {
        assertEquals(java.time.Duration.ofSeconds(30), PoolBackendFactory.stallAfter(config(Map.of())));
        assertEquals(java.time.Duration.ofMillis(2500), PoolBackendFactory.stallAfter(config(Map.of("aegaeon.pool.stall-after-seconds", "2.5"))));
        for (String v : new String[] {"0", "-1", "1e9"}) {
            var bad = assertThrows(IllegalArgumentException.class,
                    () -> PoolBackendFactory.stallAfter(config(Map.of("aegaeon.pool.stall-after-seconds", v))));
            assertTrue(bad.getMessage().contains("aegaeon.pool.stall-after-seconds"), bad.getMessage());
        }
    }
}
