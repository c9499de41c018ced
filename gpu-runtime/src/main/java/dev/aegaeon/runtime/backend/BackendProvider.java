package dev.aegaeon.runtime.backend;

import java.util.Optional;

/**
 * Discovered through {@link java.util.ServiceLoader} so a CPU-only build runs without the CUDA classes:
 * a provider is listed in {@code META-INF/services/dev.aegaeon.runtime.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The {@code --backend} name, e.g. "cpu" or "cuda". */
    String name();

    /**
     * Empty when this backend can run here; otherwise one line saying why not (e.g. "no CUDA driver").
     * Must not throw, not even on a machine without native libraries.
     */
    Optional<String> unavailableReason();

    /** Higher wins when the user names no backend (cuda above cpu). */
    int priority();

    Backend create();

    /**
     * Devices of this kind the host has ("all GPUs of the host"): the driver's count for CUDA; 1 for
     * the CPU, which can still {@link #create(int) create} any number of independent simulated devices.
     * Zero when unavailable. Must not throw.
     */
    default int deviceCount() { return unavailableReason().isEmpty() ? 1 : 0; }

    /**
     * A backend bound to device {@code ordinal} ({@code cuda:1} is ordinal 1). Each call gives an
     * independent backend: its own buffers, streams and (for CUDA) its device's context; two backends
     * never share device state, so one thread per backend may drive them concurrently.
     *
     * @throws IllegalArgumentException when the ordinal is not a device of this host
     */
    default Backend create(int ordinal) {
        if (ordinal != 0) throw new IllegalArgumentException("backend " + name() + " has only device 0, asked for " + ordinal);
        return create();
    }
}
