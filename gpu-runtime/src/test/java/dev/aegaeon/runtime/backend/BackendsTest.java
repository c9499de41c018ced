package dev.aegaeon.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void theCpuBackendIsFoundThroughServiceLoaderAndChosenWhenNothingBetterIsUsable() {
        Backends.Choice choice = Backends.choose(Optional.empty());
        // cuda, when present and usable, outranks cpu; either way the choice is a usable provider
        assertTrue(choice.provider().unavailableReason().isEmpty());
        assertEquals("cpu", Backends.choose(Optional.of("cpu")).provider().name());
    }

    @Test
    void anUnknownBackendNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.choose(Optional.of("tpu")));
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
    }

    @Test
    void deviceSpecsNameABackendAndAnOrdinal() {
        assertEquals(new Backends.DeviceSpec("cuda", 1), Backends.DeviceSpec.parse("cuda:1"));
        assertEquals(new Backends.DeviceSpec("cpu", 0), Backends.DeviceSpec.parse("cpu"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Backends.DeviceSpec.parse("cuda:x"));
        assertTrue(bad.getMessage().contains("cuda:x"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.DeviceSpec.parse("cuda:-1"));
        assertEquals("cpu", Backends.choose(Optional.of("cpu:3")).provider().name());
    }

    @Test
    void everyCpuDeviceIsAnIndependentBackend() {
        BackendProvider cpu = Backends.choose(Optional.of("cpu")).provider();
        assertEquals(1, cpu.deviceCount(), "the host is one CPU device");
        try (Backend a = cpu.create(0); Backend b = cpu.create(2); Backend c = Backends.open("cpu:1")) {
            Tensor ta = a.allocate(1, 4), tb = b.allocate(1, 4);
            a.copyFromHost(new float[] {1, 2, 3, 4}, ta);
            b.copyFromHost(new float[] {5, 6, 7, 8}, tb);
            float[] back = new float[4];
            a.copyToHost(ta, 1, back);
            assertEquals(1f, back[0], "b's writes do not reach a");
            assertEquals("cpu", c.name());
        }
        assertThrows(IllegalArgumentException.class, () -> cpu.create(-1));
    }
}
