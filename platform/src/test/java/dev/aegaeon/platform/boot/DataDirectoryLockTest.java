package dev.aegaeon.platform.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aegaeon.kafka.Topics;
import dev.aegaeon.platform.engine.TrivialEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Two instances on one data directory: the second is refused before it touches anything, and the
 * first, with its embedded broker, keeps working.
 */
class DataDirectoryLockTest {
    private static PlatformRuntime start(Path dataDir) {
        return new PlatformRuntime(new TrivialEngine(), new SimpleMeterRegistry(), dataDir, true, Optional.empty(), 0,
                64, Duration.ofMinutes(1), true, "synthetic", Optional.empty(), Optional::empty);
    }

    @Test
    void aSecondInstanceIsRefusedAndTheFirstBrokerStaysHealthy(@TempDir Path dataDir) throws Exception {
        PlatformRuntime first = start(dataDir);
        try {
            String bootstrap = first.kafkaBootstrapServers().orElseThrow();
            // What Quarkus prints as one line on stderr (no stack trace) before exiting with the code.
            var refused = assertThrows(io.quarkus.runtime.PreventFurtherStepsException.class, () -> start(dataDir));
            assertTrue(refused.getMessage().startsWith("Another Aegaeon instance is using the data directory"), refused.getMessage());
            assertEquals(1, refused.getExitCode());
            assertFalse(refused.getMessage().contains("\n"));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
            try (var producer = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.RESULTS.name(), "k", "still writable")).get(30, TimeUnit.SECONDS);
            }
            assertTrue(first.registry().get("demo").isPresent());
        } finally {
            first.stop();
        }
        start(dataDir).stop(); // released on stop: the directory can be used again
    }

    /** Another process: the lock is the OS's, so a second JVM is refused with one line and a non-zero exit. */
    @Test
    void aSecondProcessIsRefusedWithOneLine(@TempDir Path dataDir) throws Exception {
        try (DataDirectoryLock held = DataDirectoryLock.acquire(dataDir)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), dataDir.toString())
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(LockProbe.IN_USE_EXIT, p.exitValue(), out);
            assertEquals(1, List.of(out.split("\n")).size(), out);
            assertTrue(out.contains("Another Aegaeon instance is using the data directory"), out);
        }
    }
}
