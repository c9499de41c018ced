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
}
