package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.BackendProvider;

import java.util.Optional;

/** Offers the CUDA backend where a driver, a GPU and built kernels are present (never throws). */
public final class CudaBackendProvider implements BackendProvider {

    @Override public String name() { return "cuda"; }

    @Override
    public Optional<String> unavailableReason() {
        CudaAvailability a = CudaAvailability.probe();
        return a.available() ? Optional.empty() : Optional.of(a.reason());
    }

    @Override public int priority() { return 10; }

    @Override
    public Backend create() { return new CudaBackend(CudaDevice.open(0, CudaConfig.defaults()), true); }
}
