package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/** Prints where everything listens and a first request to try. */
@ApplicationScoped
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger("aegaeon");

    @Inject
    PlatformRuntime runtime;

    void onStart(@Observes StartupEvent event) {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        String base = "http://localhost:" + port;
        String kafka = runtime.kafkaBootstrapServers()
                .map(b -> b + (runtime.embeddedBroker() ? " (embedded KRaft broker, data in " + runtime.dataDir().resolve("kafka") + ")" : " (external)"))
                .orElse("disabled");
        LOG.infof("""
                
                Aegaeon is up.
                  OpenAI API   %1$s/v1  (models: %2$s)
                  Admin API    %1$s/admin/functions
                  Dashboard    %1$s/dashboard/
                  Metrics      %1$s/q/metrics    Health %1$s/q/health    OpenAPI %1$s/q/openapi
                  Kafka        %3$s
                  Backend      %4$s
                  Data         %5$s
                Try:
                  curl -s %1$s/v1/chat/completions -H 'Content-Type: application/json' \\
                    -d '{"model":"demo","messages":[{"role":"user","content":"Hello!"}]}'
                """, base, runtime.registry().all().stream().map(r -> r.spec().name()).toList(), kafka,
                runtime.backend().name(), runtime.dataDir());
    }
}
