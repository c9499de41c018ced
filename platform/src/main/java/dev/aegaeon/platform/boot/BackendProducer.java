package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.platform.engine.TrivialEngine;
import dev.aegaeon.platform.pool.PoolBackendFactory;

/**
 * Chooses the {@link InferenceBackend} by {@code aegaeon.backend}: {@code pool} (default: real
 * models through the token-level scheduler, see {@link PoolBackendFactory}) or {@code trivial}
 * (the {@link TrivialEngine}: synthetic, no model, deterministic and fast).
 */
@ApplicationScoped
public class BackendProducer {
    @ConfigProperty(name = "aegaeon.backend", defaultValue = "pool")
    String backend;

    @Produces
    @Singleton
    InferenceBackend backend() {
        return switch (backend) {
            case "trivial" -> new TrivialEngine();
            case "pool" -> PoolBackendFactory.create(ConfigProvider.getConfig());
            default -> throw new IllegalArgumentException("aegaeon.backend must be 'pool' or 'trivial', got '" + backend + "'");
        };
    }
}
