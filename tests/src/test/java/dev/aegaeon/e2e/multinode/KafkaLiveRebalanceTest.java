package dev.aegaeon.e2e.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.embedded.LocalKafkaBroker;
import dev.aegaeon.kafka.TopicProvisioner;
import dev.aegaeon.kafka.Topics;

/**
 * A live rebalance: three platform processes share {@code aegaeon.invocations} and a fourth joins
 * while invocations are running, so partitions move from nodes that are alive and busy. Every
 * invocation id must get exactly one result, and the nodes together must have run each invocation
 * exactly once (their {@code aegaeon_invocations_total} for the function sums to the ids sent).
 */
class KafkaLiveRebalanceTest {
    static final int INVOCATIONS = 240;
    // The shared helpers of KafkaPoolFailoverTest watch this group (each test has its own broker).
    static final String GROUP = KafkaPoolFailoverTest.GROUP;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Path workDir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        if (workDir != null) PlatformNode.deleteRecursively(workDir);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aNodeJoiningMidRunRunsNothingThatAnotherNodeRuns() throws Exception {
        Path runner = KafkaPoolFailoverTest.RUNNER;
        Assumptions.assumeTrue(Files.isRegularFile(runner),
                "no packaged platform at " + runner.toAbsolutePath() + ": run the reactor to the package phase (verify)");
        workDir = Files.createTempDirectory("aegaeon-rebalance-");
        LocalKafkaBroker broker = LocalKafkaBroker.startTemporary();
        cleanup.add(broker);
        try (Admin admin = Admin.create(broker.adminConfig())) {
            TopicProvisioner.ensure(admin, Topics.ALL, 30_000);
        }
        List<PlatformNode> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread killer = new Thread(() -> nodes.forEach(PlatformNode::close));
        Runtime.getRuntime().addShutdownHook(killer);
        cleanup.add(() -> Runtime.getRuntime().removeShutdownHook(killer));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 3; i++) nodes.add(start(i, broker, http));

        try (Admin admin = Admin.create(broker.adminConfig());
             KafkaProducer<byte[], byte[]> producer = KafkaPoolFailoverTest.producer(broker.bootstrapServers())) {
            KafkaPoolFailoverTest.awaitGroup(admin, 3, Duration.ofSeconds(60), nodes);
            ResultCollector results = new ResultCollector(broker.bootstrapServers(), Topics.RESULTS.name(), Topics.RESULTS.partitions());
            cleanup.add(results);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INVOCATIONS; i++) ids.add(String.format("live-%04d", i));
            int third = INVOCATIONS / 3;
            send(producer, ids.subList(0, third));
            // The fourth node starts while the stream goes on: the group rebalances with invocations in flight.
            Thread joiner = Thread.ofPlatform().start(() -> {
                try {
                    nodes.add(start(3, broker, http));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            send(producer, ids.subList(third, INVOCATIONS));
            joiner.join(150_000);
            Instant sent = Instant.now();
            KafkaPoolFailoverTest.awaitGroup(admin, 4, Duration.ofSeconds(90), nodes);

            KafkaPoolFailoverTest.await(() -> results.results().keySet().containsAll(ids), Duration.ofSeconds(150), "every invocation answered", nodes);
            KafkaPoolFailoverTest.awaitCommittedToEnd(admin, Duration.ofSeconds(30), nodes);
            Thread.sleep(1_000);
            System.out.printf("rebalance: %d invocations, a 4th node joined mid-run; all answered %d ms after the last was sent%n",
                    INVOCATIONS, Duration.between(sent, Instant.now()).toMillis());

            Map<String, Integer> duplicated = new TreeMap<>(results.results()).entrySet().stream().filter(e -> e.getValue().size() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(), (a, b) -> a, TreeMap::new));
            assertEquals(Map.of(), duplicated, "invocations answered more than once (id -> results)");
            for (String id : ids) assertEquals("200", results.results().get(id).get(0).status(), id);
            long ran = 0;
            for (PlatformNode n : nodes) ran += invocationsRun(http, n, "slow");
            assertEquals(INVOCATIONS, ran, "invocations run across the four nodes (a live rebalance must not run one twice)");
            assertTrue(nodes.stream().allMatch(PlatformNode::alive), "a node died");
        }
    }

    private PlatformNode start(int index, LocalKafkaBroker broker, HttpClient http) throws Exception {
        PlatformNode node = PlatformNode.start(index, KafkaPoolFailoverTest.RUNNER, workDir, broker.bootstrapServers(), GROUP,
                PlatformNode.freePort(), List.of("-Daegaeon.functions-dir=" + functionsDir()));
        synchronized (cleanup) {
            cleanup.add(node);
        }
        node.awaitReady(http, Duration.ofSeconds(120));
        return node;
    }

    /** A slow echo function on every node (60 ms per token), so invocations are still running when partitions move. */
    private Path functionsDir() throws java.io.IOException {
        Path dir = workDir.resolve("functions");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("slow.yaml"), "name: slow\nmodel: {synthetic: {shape: echo, tokenInterval: 60ms}}\n"
                    + "scaling: {minScale: 1}\nlimits: {maxConcurrent: 2000, maxQueued: 1000}\n");
        }
        return dir;
    }

    /** The node's {@code aegaeon_invocations_total} for {@code function}, all outcomes. */
    private static long invocationsRun(HttpClient http, PlatformNode node, String function) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n"))
            if (line.startsWith("aegaeon_invocations_total{") && line.contains("function=\"" + function + "\""))
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        return Math.round(sum);
    }

    /** ~7 invocations/s for about 35 s, each about 2 s of tokens (30 at 60 ms): a dozen are in flight when the fourth node joins. */
    private static void send(KafkaProducer<byte[], byte[]> producer, List<String> ids) throws Exception {
        for (String id : ids) {
            String body = "{\"model\":\"slow\",\"prompt\":\"hello from " + id + " " + "x".repeat(60) + "\",\"max_tokens\":30}";
            var record = new ProducerRecord<>(Topics.INVOCATIONS.name(), id.getBytes(StandardCharsets.UTF_8),
                    body.getBytes(StandardCharsets.UTF_8));
            CloudEventHeaders.write(record.headers(), id, CloudEventHeaders.TYPE_INVOCATION, "/tests/rebalance", Instant.now());
            producer.send(record);
            Thread.sleep(150);
        }
        producer.flush();
    }
}
