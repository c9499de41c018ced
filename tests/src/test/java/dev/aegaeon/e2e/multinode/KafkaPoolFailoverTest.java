package dev.aegaeon.e2e.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.embedded.LocalKafkaBroker;
import dev.aegaeon.kafka.TopicProvisioner;
import dev.aegaeon.kafka.Topics;

/**
 * Many nodes on one machine: a real KRaft broker and three platform processes in one consumer
 * group on {@code aegaeon.invocations}, each with its own pool (the trivial engine). A few hundred
 * invocations go in while one node is killed with SIGKILL mid-run; every invocation id must get
 * exactly one successful result: none lost with the dead node, none answered twice after its
 * partitions move to the survivors.
 */
class KafkaPoolFailoverTest {
    static final int NODES = 3;
    static final int INVOCATIONS = 300;
    static final String GROUP = "aegaeon-multinode";
    static final Path RUNNER = Path.of(System.getProperty("aegaeon.platform.runner", "../platform/target/quarkus-app/quarkus-run.jar"));

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Path workDir;

    @AfterEach
    void tearDown() throws Exception {
        // Reverse order: collector and nodes before the broker they talk to.
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
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyInvocationIsAnsweredExactlyOnceWhenANodeCrashes() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(RUNNER),
                "no packaged platform at " + RUNNER.toAbsolutePath() + ": run the reactor to the package phase (verify)");
        workDir = Files.createTempDirectory("aegaeon-multinode-");
        LocalKafkaBroker broker = LocalKafkaBroker.startTemporary();
        cleanup.add(broker);
        try (Admin admin = Admin.create(broker.adminConfig())) {
            // Topics first, so three nodes starting at once do not race to create them.
            TopicProvisioner.ensure(admin, Topics.ALL, 30_000);
        }

        List<PlatformNode> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            PlatformNode node = PlatformNode.start(i, RUNNER, workDir, broker.bootstrapServers(), GROUP, PlatformNode.freePort());
            cleanup.add(node);
            nodes.add(node);
        }
        // Kill the children even if this JVM is torn down without running @AfterEach.
        Thread killer = new Thread(() -> nodes.forEach(PlatformNode::close));
        Runtime.getRuntime().addShutdownHook(killer);
        cleanup.add(() -> Runtime.getRuntime().removeShutdownHook(killer));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (PlatformNode n : nodes) n.awaitReady(http, Duration.ofSeconds(120));

        try (Admin admin = Admin.create(broker.adminConfig());
             KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
            awaitGroup(admin, NODES, Duration.ofSeconds(60), nodes);

            ResultCollector results = new ResultCollector(broker.bootstrapServers(), Topics.RESULTS.name(), Topics.RESULTS.partitions());
            cleanup.add(results);

            // First half, paced so that generations are running when the node dies.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INVOCATIONS; i++) ids.add(String.format("inv-%04d", i));
            int half = INVOCATIONS / 2;
            send(producer, ids.subList(0, half));
            await(() -> results.answered() >= half / 3, Duration.ofSeconds(60), "first answers", nodes);

            PlatformNode victim = nodes.get(1);
            victim.crash();
            Instant crashedAt = Instant.now();
            send(producer, ids.subList(half, INVOCATIONS));

            // The dead node's partitions move to the survivors once the group notices (session timeout).
            await(() -> results.results().keySet().containsAll(ids), Duration.ofSeconds(150), "every invocation answered", nodes);
            // No redelivery can still be pending once the group has committed every record.
            awaitCommittedToEnd(admin, Duration.ofSeconds(30), nodes);
            Thread.sleep(1_000); // let any late duplicate reach the collector
            System.out.printf("multinode: %d invocations, %d nodes, node %d crashed; all answered %d ms after the crash%n",
                    INVOCATIONS, NODES, victim.index(), Duration.between(crashedAt, Instant.now()).toMillis());

            Map<String, List<ResultCollector.Result>> byId = new TreeMap<>(results.results());
            Set<String> unexpected = new HashSet<>(byId.keySet());
            ids.forEach(unexpected::remove);
            assertTrue(unexpected.isEmpty(), "results for ids never sent: " + unexpected);
            Map<String, Integer> duplicated = byId.entrySet().stream().filter(e -> e.getValue().size() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(), (a, b) -> a, TreeMap::new));
            assertEquals(Map.of(), duplicated, "invocations answered more than once (id -> results)");
            for (String id : ids) {
                ResultCollector.Result r = byId.get(id).get(0);
                assertEquals("200", r.status(), id + " failed: " + r.value());
                assertEquals(CloudEventHeaders.TYPE_RESULT, r.type());
                assertTrue(r.value().contains("\"text_completion\""), id + " is not a completion: " + r.value());
            }
            assertTrue(nodes.stream().filter(n -> n != victim).allMatch(PlatformNode::alive), "a surviving node died");
            // Diagnostic: how the survivors avoided re-running what the dead node had answered.
            for (PlatformNode n : nodes)
                n.logLines("already answered by other nodes").forEach(l -> System.out.println("multinode: node " + n.index() + ": " + l));
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Invocation records as issue 5 defines them: key = id, binary CloudEvent headers, an OpenAI completions body. */
    private static void send(KafkaProducer<byte[], byte[]> producer, List<String> ids) throws Exception {
        for (String id : ids) {
            String body = "{\"model\":\"demo\",\"prompt\":\"hello from " + id + "\",\"max_tokens\":24}";
            var record = new ProducerRecord<>(Topics.INVOCATIONS.name(), id.getBytes(StandardCharsets.UTF_8),
                    body.getBytes(StandardCharsets.UTF_8));
            CloudEventHeaders.write(record.headers(), id, CloudEventHeaders.TYPE_INVOCATION, "/tests/multinode", Instant.now());
            producer.send(record);
            Thread.sleep(10); // ~100 invocations/s: a steady stream rather than one burst
        }
        producer.flush();
    }

    static void awaitGroup(Admin admin, int members, Duration timeout, List<PlatformNode> nodes) throws Exception {
        await(() -> {
            try {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get(5, TimeUnit.SECONDS).get(GROUP);
                long assigned = g.members().stream().mapToLong(m -> m.assignment().topicPartitions().size()).sum();
                return g.members().size() == members && assigned == Topics.INVOCATIONS.partitions();
            } catch (Exception e) {
                return false;
            }
        }, timeout, members + " members sharing " + Topics.INVOCATIONS.name(), nodes);
    }

    static void awaitCommittedToEnd(Admin admin, Duration timeout, List<PlatformNode> nodes) throws Exception {
        await(() -> {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                for (int p = 0; p < Topics.INVOCATIONS.partitions(); p++) latest.put(new TopicPartition(Topics.INVOCATIONS.name(), p), OffsetSpec.latest());
                var ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                return ends.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
                        && committed.get(e.getKey()).offset() >= e.getValue().offset());
            } catch (Exception e) {
                return false;
            }
        }, timeout, "the group to commit every invocation", nodes);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what, List<PlatformNode> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        StringBuilder logs = new StringBuilder();
        for (PlatformNode n : nodes) logs.append("\n--- node ").append(n.index()).append(n.alive() ? " (alive)" : " (dead)").append('\n').append(n.logTail());
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs);
    }
}
