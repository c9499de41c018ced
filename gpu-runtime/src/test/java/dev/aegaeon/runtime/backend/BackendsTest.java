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
}
