package dev.aegaeon.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import dev.aegaeon.kafka.EmbeddedKafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka broker in KRaft combined mode (broker + controller in this JVM),
 * listening on 127.0.0.1 only. For tests and the platform's embedded default; not a cluster.
 *
 * <p>A data directory that was formatted before is reused as is (topics and offsets survive a
 * restart); a fresh one is formatted with a new cluster id. {@link #close()} shuts the broker down
 * and, for a temporary directory this class created, deletes it.
 */
public final class LocalKafkaBroker implements EmbeddedKafka.Broker {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private volatile boolean closed;

    private LocalKafkaBroker(KafkaRaftServer server, int port, Path dataDir, boolean deleteOnClose) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
    }

    /** Starts a broker on a free port with a temporary data directory removed on close. */
    public static LocalKafkaBroker startTemporary() throws IOException {
        return start(0, Files.createTempDirectory("aegaeon-kafka-"), true);
    }

    /**
     * Starts a broker and returns once it answers metadata requests.
     *
     * @param port the client port on 127.0.0.1; 0 picks a free one
     * @param dataDir log and metadata directory; created if absent
     * @param deleteOnClose whether {@link #close()} removes {@code dataDir}
     */
    public static LocalKafkaBroker start(int port, Path dataDir, boolean deleteOnClose) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535: " + port);
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Files.createDirectories(dataDir);
        String logDir = dataDir.toAbsolutePath().toString();
        Properties props = serverProperties(clientPort, controllerPort, logDir);
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        LocalKafkaBroker broker = new LocalKafkaBroker(server, clientPort, dataDir, deleteOnClose);
        try {
            server.startup();
            broker.awaitReady();
        } catch (RuntimeException | IOException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public int port() {
        return port;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Admin client properties for this broker. */
    public Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteOnClose) deleteRecursively(dataDir);
        }
    }

    static Properties serverProperties(int clientPort, int controllerPort, String logDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("num.partitions", "1");
        // One node: every internal topic has a single replica and starts with few partitions.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Consumers join a group at once instead of waiting for peers that will never come.
        p.put("group.initial.rebalance.delay.ms", "0");
        // A topic exists only once created on purpose (TopicProvisioner): a record or a reply header
        // naming a new topic must not create one.
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    private static void format(String logDir) throws IOException {
        // Formatted by an earlier run: keep its cluster id, metadata and topics.
        if (Files.exists(Path.of(logDir, "meta.properties"))) return;
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir)
                    .addDirectory(logDir)
                    .run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig())) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) return;
                } catch (Exception e) {
                    last = e;
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IOException("Kafka broker on " + bootstrapServers() + " not ready within " + READY_TIMEOUT, last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temp directory is harmless
        }
    }
}
