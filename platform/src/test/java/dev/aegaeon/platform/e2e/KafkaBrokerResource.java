package dev.aegaeon.platform.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import dev.aegaeon.kafka.embedded.LocalKafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real KRaft broker on a free port and a fresh data directory for the application under test;
 * {@code kafka.bootstrap.servers} points the platform at it (so it starts no broker of its own).
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    static volatile LocalKafkaBroker broker;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            broker = LocalKafkaBroker.startTemporary();
            dataDir = Files.createTempDirectory("aegaeon-test-data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                "aegaeon.data-dir", dataDir.toString(),
                "aegaeon.kafka.group-id", "aegaeon-test",
                // replyTopicAndCorrelationIdAreHonoured... creates its reply topics under this prefix.
                "aegaeon.kafka.reply-topic-prefixes", "aegaeon.,replies-");
    }

    @Override
    public void stop() {
        if (broker != null) broker.close();
        if (dataDir != null) {
            try (Stream<Path> s = Files.walk(dataDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }

    public static String bootstrapServers() {
        return broker.bootstrapServers();
    }
}
