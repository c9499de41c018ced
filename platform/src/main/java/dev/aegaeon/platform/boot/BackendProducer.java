package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.platform.engine.TrivialEngine;

/**
 * Chooses the {@link InferenceBackend}. Today: the {@link TrivialEngine} (synthetic, no model).
 * The real engine + scheduler plugs in here, behind the same interface.
 */
@ApplicationScoped
public class BackendProducer {
    @Produces
    @Singleton
    InferenceBackend backend() {
        return new TrivialEngine();
    }
}
