package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.BackendProvider;

import java.util.Optional;

/**
 * Offers the CUDA backend where a driver and GPUs the shipped kernel images can serve are present
 * (never throws, except for a malformed {@code aegaeon.cuda.*} option where a GPU exists).
 */
public final class CudaBackendProvider implements BackendProvider {

    @Override public String name() { return "cuda"; }

    @Override
    public Optional<String> unavailableReason() {
        CudaAvailability a = CudaAvailability.probe();
        return a.available() ? Optional.empty() : Optional.of(a.reason());
    }

    @Override public int priority() { return 10; }

    @Override
    public Backend create() { return create(0); }

    /** cuDeviceGetCount through the one-time probe; 0 when CUDA is unusable here. */
    @Override
    public int deviceCount() { return CudaAvailability.probe().deviceCount(); }

    /** A backend on GPU {@code ordinal}, with that GPU's primary context, streams, kernels and arena. */
    @Override
    public Backend create(int ordinal) {
        int count = deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("no CUDA device " + ordinal + ": this host has " + count + " (ordinals 0.." + (count - 1) + ")");
        }
        return new CudaBackend(CudaDevice.open(ordinal, CudaConfig.defaults()), true);
    }
}
