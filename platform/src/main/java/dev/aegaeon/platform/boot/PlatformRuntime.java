package dev.aegaeon.platform.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.kafka.EmbeddedKafka;
import dev.aegaeon.kafka.TopicProvisioner;
import dev.aegaeon.kafka.Topics;
import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.platform.invoke.InvocationService;
import dev.aegaeon.platform.kafka.ResultLedger;
import dev.aegaeon.platform.metrics.MicrometerInvocationMetrics;
import dev.aegaeon.platform.registry.FunctionRegistry;
import dev.aegaeon.platform.registry.ModelRoots;
import dev.aegaeon.platform.registry.ModelRootsConfig;
import dev.aegaeon.platform.registry.RegistrationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Wires the platform at start, in dependency order: the data directory's lock (a second instance
 * on the same directory stops here, before it touches anything), data directory, Kafka (an external broker if
 * {@code kafka.bootstrap.servers} is set, else a local KRaft broker when this build ships one: see
 * {@link EmbeddedBrokerLookup}), topics, the invocation
 * service over the backend, stored registrations (plus {@code demo} when enabled), and the Kafka
 * front door. Shuts them down in reverse.
 */
@Singleton
@Startup
public class PlatformRuntime {
    private static final Logger LOG = Logger.getLogger(PlatformRuntime.class);

    private final InferenceBackend backend;
    private final MicrometerInvocationMetrics metrics;
    private final InvocationService service;
    private final FunctionRegistry registry;
    private final Path dataDir;
    private final EmbeddedKafka.Broker broker;
    private final String bootstrapServers;
    private final ResultLedger ledger;
    private final DataDirectoryLock lock;
    private final ModelRoots modelRoots;

    @Inject
    public PlatformRuntime(InferenceBackend backend, MeterRegistry meters,
            @ConfigProperty(name = "aegaeon.data-dir") Path dataDir,
            @ConfigProperty(name = "aegaeon.kafka.enabled", defaultValue = "true") boolean kafkaEnabled,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> externalKafka,
            @ConfigProperty(name = "aegaeon.kafka.embedded.port", defaultValue = "9092") int embeddedPort,
            @ConfigProperty(name = "aegaeon.admission.max-queued-total", defaultValue = "1024") int maxQueuedTotal,
            @ConfigProperty(name = "aegaeon.invocation.default-timeout", defaultValue = "PT5M") Duration defaultTimeout,
            @ConfigProperty(name = "aegaeon.demo.enabled", defaultValue = "true") boolean demo,
            @ConfigProperty(name = "aegaeon.demo.model", defaultValue = "bundled") String demoModel,
            @ConfigProperty(name = "aegaeon.functions-dir") Optional<Path> functionsDir,
            ModelRootsConfig modelRootsConfig) {
        this.dataDir = dataDir.toAbsolutePath();
        try {
            this.lock = DataDirectoryLock.acquire(this.dataDir);
        } catch (DataDirectoryLock.InUse e) {
            // Quarkus prints this exception's message alone (no stack trace) and exits with its code.
            throw new io.quarkus.runtime.PreventFurtherStepsException(e.getMessage(), 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the data directory " + this.dataDir + ": " + e.getMessage(), e);
        }
        this.backend = backend;
        this.modelRoots = ModelRoots.of(modelRootsConfig.roots(), this.dataDir);
        this.metrics = new MicrometerInvocationMetrics(meters);
        if (backend instanceof dev.aegaeon.platform.pool.PooledInferenceBackend pooled) {
            dev.aegaeon.platform.metrics.PoolMetrics.register(meters, pooled, dev.aegaeon.platform.pool.PooledInferenceBackend::poolStats);
        }
        this.service = new InvocationService(backend, metrics, maxQueuedTotal, defaultTimeout);
        try {
            RegistrationStore store = new RegistrationStore(this.dataDir.resolve("functions"));
            this.registry = new FunctionRegistry(store, modelRoots, new FunctionRegistry.Listener() {
                @Override
                public void registered(FunctionSpec spec) {
                    service.register(spec);
                    metrics.register(spec.name(), service, backend);
                }

                @Override
                public void unregistered(String name) {
                    service.unregister(name);
                    metrics.unregister(name);
                }
            });
            int loaded = registry.load();
            // Function YAML shipped as configuration (a mounted ConfigMap): applied on every start, so
            // the files win over an older stored registration of the same name.
            if (functionsDir.isPresent()) {
                for (FunctionSpec spec : dev.aegaeon.functions.FunctionSpecCodec.readDirectory(functionsDir.get())) {
                    try {
                        if (!registry.create(spec)) registry.update(spec);
                    } catch (dev.aegaeon.functions.SpecValidationException e) {
                        LOG.errorf("not registering '%s' from %s: %s", spec.name(), functionsDir.get(), e.getMessage());
                    }
                }
            }
            if (!demoModel.equals("bundled") && !demoModel.equals("synthetic"))
                throw new IllegalArgumentException("aegaeon.demo.model must be bundled or synthetic, got '" + demoModel + "'");
            Optional<Path> bundled = dev.aegaeon.platform.models.BundledModels.install(
                    dev.aegaeon.platform.models.BundledModels.DEMO, this.dataDir.resolve("models"));
            if (demo && registry.get("demo").isEmpty()) {
                // The trivial engine runs no model: its demo stays the synthetic echo whatever the setting.
                boolean runsModels = !(backend instanceof dev.aegaeon.platform.engine.TrivialEngine);
                if (demoModel.equals("bundled") && bundled.isPresent() && runsModels) registry.create(demoSpec(bundled.get()));
                else {
                    if (demoModel.equals("bundled") && runsModels) LOG.warn("this build ships no demo model; demo runs a synthetic model instead");
                    registry.create(demoSpec());
                }
            }
            LOG.infof("backend %s; %d stored function(s) loaded from %s", backend.name(), loaded, store.directory());

            if (kafkaEnabled) {
                if (externalKafka.isPresent() && !externalKafka.get().isBlank()) {
                    this.broker = null;
                    this.bootstrapServers = externalKafka.get();
                } else {
                    EmbeddedKafka embedded = EmbeddedBrokerLookup.require(PlatformRuntime.class.getClassLoader());
                    this.broker = embedded.start(embeddedPort, this.dataDir.resolve("kafka"));
                    this.bootstrapServers = broker.bootstrapServers();
                }
                ensureTopics(bootstrapServers);
                // The channels (application.properties) start once this bean is ready; see KafkaFrontDoor.
                this.ledger = new ResultLedger(this.dataDir.resolve("kafka-answered.log"), 100_000);
            } else {
                this.broker = null;
                this.bootstrapServers = null;
                this.ledger = null;
            }
        } catch (IOException e) {
            releaseQuietly(lock);
            throw new UncheckedIOException("cannot start the platform: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            releaseQuietly(lock); // a failed start must not keep the directory from the next attempt
            throw e;
        }
    }

    private static void releaseQuietly(DataDirectoryLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            LOG.debugf("data directory lock release: %s", e.getMessage());
        }
    }

    /** The embedded demo function: the bundled KJV model, kept HOT. */
    static FunctionSpec demoSpec(Path modelDir) {
        return new FunctionSpec("demo", new ModelSource.HfDirectory(modelDir), null,
                new dev.aegaeon.functions.Scaling(1, Duration.ofSeconds(60), Duration.ofMinutes(10)), null, Optional.empty());
    }

    /** The demo function with {@code aegaeon.demo.model=synthetic}: a synthetic echo model, kept HOT. */
    static FunctionSpec demoSpec() {
        return new FunctionSpec("demo", new ModelSource.Synthetic("echo", 42, Duration.ofMillis(2)), null,
                new dev.aegaeon.functions.Scaling(1, Duration.ofSeconds(60), Duration.ofMinutes(10)), null, Optional.empty());
    }

    private static void ensureTopics(String bootstrap) {
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<String> created = TopicProvisioner.ensure(admin, Topics.ALL, 30_000);
            if (!created.isEmpty()) LOG.infof("created Kafka topics %s", created);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create Kafka topics on " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    public InvocationService service() {
        return service;
    }

    public FunctionRegistry registry() {
        return registry;
    }

    public InferenceBackend backend() {
        return backend;
    }

    public MicrometerInvocationMetrics metrics() {
        return metrics;
    }

    /** Where Kafka clients connect, or empty when Kafka is disabled. */
    public Optional<String> kafkaBootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    /** The ids of invocations answered through Kafka, or empty when Kafka is disabled. */
    public Optional<ResultLedger> kafkaLedger() {
        return Optional.ofNullable(ledger);
    }

    public boolean embeddedBroker() {
        return broker != null;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where model directories may come from. */
    public ModelRoots modelRoots() {
        return modelRoots;
    }

    @PreDestroy
    void stop() {
        service.close();
        backend.close();
        if (ledger != null) {
            try {
                ledger.close();
            } catch (IOException e) {
                LOG.debugf("ledger close: %s", e.getMessage());
            }
        }
        if (broker != null) broker.close();
        releaseQuietly(lock);
    }
}
