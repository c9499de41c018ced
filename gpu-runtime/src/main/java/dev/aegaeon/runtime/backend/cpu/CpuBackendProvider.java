package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.BackendProvider;
import java.util.Optional;

/** The CPU backend is usable everywhere: the Vector API when the JVM has it, scalar loops otherwise. */
public final class CpuBackendProvider implements BackendProvider {

    @Override public String name() { return "cpu"; }

    @Override public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override public int priority() { return 0; }

    @Override public Backend create() { return new CpuBackend(); }

    /** Any ordinal: every CPU "device" is an independent backend (tests simulate several devices this way). */
    @Override
    public Backend create(int ordinal) {
        if (ordinal < 0) throw new IllegalArgumentException("device ordinal must be >= 0, got " + ordinal);
        return new CpuBackend();
    }
}
