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
}
