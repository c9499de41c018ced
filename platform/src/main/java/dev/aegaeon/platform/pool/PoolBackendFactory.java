package dev.aegaeon.platform.pool;

import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.worker.ModelPool;
import dev.aegaeon.worker.PoolOptions;
import dev.aegaeon.worker.PoolPolicy;

/**
 * Builds the pooled backend from configuration:
 * <ul>
 *   <li>{@code aegaeon.pool.device}: backend name ({@code cpu}, {@code cuda}); unset = the best usable one</li>
 *   <li>{@code aegaeon.pool.memory-bytes}: device memory the scheduler may fill (default 8 GiB)</li>
 *   <li>{@code aegaeon.pool.kv-tokens-per-model}: KV positions per resident model (default 8192)</li>
 *   <li>{@code aegaeon.pool.policy}: {@code aegaeon} (default: token-level scheduling) or {@code request-level}
 *       (the ServerlessLLM-style baseline, switching models only between requests)</li>
 *   <li>{@code aegaeon.pool.echo-shape}: the synthetic shape a function of shape {@code echo} runs (default tiny-llama)</li>
 * </ul>
 * The CPU backend runs on any JVM: with {@code --add-modules jdk.incubator.vector} it uses the Vector
 * API, without it (plain {@code java -jar quarkus-run.jar}) scalar loops, and says so in one warning.
 */
public final class PoolBackendFactory {
    private static final Logger LOG = Logger.getLogger(PoolBackendFactory.class);

    private PoolBackendFactory() {}

    public static InferenceBackend create(Config config) {
        Optional<String> device = config.getOptionalValue("aegaeon.pool.device", String.class).filter(s -> !s.isBlank());
        PoolOptions defaults = PoolOptions.defaults();
        PoolOptions options = new PoolOptions(device,
                config.getOptionalValue("aegaeon.pool.memory-bytes", Long.class).orElse(defaults.memoryBytes()),
                defaults.blockSize(),
                config.getOptionalValue("aegaeon.pool.kv-tokens-per-model", Integer.class).orElse(defaults.kvTokensPerModel()),
                defaults.scheduler(), PoolOptions.SYSTEM_CLOCK, Duration.ofMillis(250),
                PoolPolicy.parse(config.getOptionalValue("aegaeon.pool.policy", String.class).orElse("aegaeon")));
        String echoShape = config.getOptionalValue("aegaeon.pool.echo-shape", String.class).orElse("tiny-llama");
        ModelPool pool = new ModelPool(options);
        LOG.infof("model pool on the %s backend, %d bytes of device memory, %s policy", pool.backendName(), options.memoryBytes(),
                options.policy());
        return new PooledInferenceBackend(pool, echoShape);
    }
}
