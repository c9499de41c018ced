package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the runtime is wired: reports the backend, Kafka endpoint and function count. */
@Readiness
@ApplicationScoped
public class PlatformHealthCheck implements HealthCheck {
    @Inject
    PlatformRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("aegaeon")
                .withData("backend", runtime.backend().name())
                .withData("kafka", runtime.kafkaBootstrapServers().orElse("disabled"))
                .withData("functions", runtime.registry().all().size())
                .up().build();
    }
}
