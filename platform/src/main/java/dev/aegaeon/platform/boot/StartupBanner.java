package dev.aegaeon.platform.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;

/** Prints where everything listens, how to authenticate as admin, and a first request to try. */
@ApplicationScoped
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger("aegaeon");

    @Inject
    PlatformRuntime runtime;

    @Inject
    dev.aegaeon.platform.admin.AdminGuard admin;

    @Inject
    Instance<ValueRegistry> values;

    private final java.util.concurrent.atomic.AtomicBoolean printed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int port;

    /**
     * Printed once the HTTP server listens, with the port it really took (a random port, 0,
     * included, and the test port in tests) rather than the configured {@code quarkus.http.port}.
     */
    void onListening(@ObservesAsync HttpServerStart start) {
        if (!printed.compareAndSet(false, true)) return; // one event per event-loop verticle
        print(actualPort(start.options().getPort()));
    }

    /** The bound port Quarkus records once listening (the options still say 0 for a random port). */
    private int actualPort(int configured) {
        if (!values.isResolvable()) return configured;
        var key = LaunchMode.current() == LaunchMode.TEST ? HttpServer.HTTP_TEST_PORT : HttpServer.HTTP_PORT;
        Integer bound = values.get().getOrDefault(key, null);
        return bound == null || bound == 0 ? configured : bound;
    }

    /** The port the banner printed, or 0 before it did. */
    public int printedPort() {
        return port;
    }

    private void print(int port) {
        this.port = port;
        String host = ConfigProvider.getConfig().getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        String base = "http://localhost:" + port;
        var token = admin.token();
        String tokenFile = runtime.dataDir().resolve(dev.aegaeon.platform.admin.AdminToken.FILE_NAME).toString();
        String adminAuth = token.generatedAt().map(p -> "generated a new admin token (shown only now, stored in " + p + "):\n                    "
                + token.reveal()).orElse("token in " + tokenFile + " (or aegaeon.admin.token)");
        String listen = host.equals("127.0.0.1") || host.equals("localhost")
                ? "only this machine (" + host + "); -Dquarkus.http.host=0.0.0.0 opens it to the network"
                : host;
        String kafka = runtime.kafkaBootstrapServers()
                .map(b -> b + (runtime.embeddedBroker() ? " (embedded KRaft broker, data in " + runtime.dataDir().resolve("kafka") + ")" : " (external)"))
                .orElse("disabled");
        LOG.infof("""
                
                Aegaeon is up.
                  OpenAI API   %1$s/v1  (models: %2$s)
                  Admin API    %1$s/admin/functions  (Authorization: Bearer <admin token>)
                               %6$s
                  Listening on %7$s
                  Dashboard    %1$s/dashboard/  (its data: the admin token)
                  Metrics      %1$s/q/metrics    Health %1$s/q/health    OpenAPI %1$s/q/openapi
                  Kafka        %3$s
                  Backend      %4$s
                  Data         %5$s
                Try:
                  curl -s %1$s/v1/chat/completions -H 'Content-Type: application/json' \\
                    -d '{"model":"demo","messages":[{"role":"user","content":"Hello!"}]}'
                """, base, runtime.registry().all().stream().map(r -> r.spec().name()).toList(), kafka,
                runtime.backend().name(), runtime.dataDir(), adminAuth, listen);
    }
}
