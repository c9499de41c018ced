package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.aegaeon.platform.engine.BackendException;

/**
 * Ready once the runtime is wired: reports the backend, Kafka endpoint, function count, and each
 * function's state as {@code function.<name>}: COLD, WARM, HOT or ACTIVE, or FAILED when its model
 * cannot load (the reason only in the admin API: health is unauthenticated). One failed function
 * does not make the platform unready; the others still serve.
 */
@Readiness
@ApplicationScoped
public class PlatformHealthCheck implements HealthCheck {
    @Inject
    PlatformRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("aegaeon")
                .withData("backend", runtime.backend().name())
                .withData("kafka", runtime.kafkaBootstrapServers().orElse("disabled"))
                .withData("functions", runtime.registry().all().size());
        for (var r : runtime.registry().all()) {
            String name = r.spec().name();
            b.withData("function." + name, state(name));
        }
        return b.up().build();
    }

    private String state(String function) {
        if (runtime.backend().failure(function).isPresent()) return "FAILED";
        try {
            return runtime.backend().status(function).state().name();
        } catch (BackendException.UnknownFunction e) {
            return "UNKNOWN";
        }
    }
}
