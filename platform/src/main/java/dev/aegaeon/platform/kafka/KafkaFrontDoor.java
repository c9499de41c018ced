package dev.aegaeon.platform.kafka;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.aegaeon.platform.boot.PlatformRuntime;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * What the Kafka channels share on this node: where the broker is (the embedded one or
 * {@code kafka.bootstrap.servers}), the ledger of answered ids, the invocations in flight and the
 * reply-route checks. The channels' own settings are in {@code application.properties}.
 */
@ApplicationScoped
public class KafkaFrontDoor {
    private static final Logger LOG = Logger.getLogger(KafkaFrontDoor.class);
    /** The connector configuration bean every channel names with {@code kafka-configuration}. */
    public static final String CLIENT_CONFIG = "aegaeon-kafka";

    private final PlatformRuntime runtime;
    private final InFlight inFlight = new InFlight();
    private final List<String> replyTopicPrefixes;
    private volatile ReplyTopics replyTopics;

    @Inject
    KafkaFrontDoor(PlatformRuntime runtime,
            @ConfigProperty(name = "aegaeon.kafka.reply-topic-prefixes", defaultValue = "aegaeon.") List<String> replyTopicPrefixes) {
        this.runtime = runtime;
        this.replyTopicPrefixes = replyTopicPrefixes;
    }

    /** Client settings the connector merges under each channel's own: the broker address, known only once the platform started it. */
    @Produces
    @Identifier(CLIENT_CONFIG)
    Map<String, Object> clientConfig() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }

    String bootstrapServers() {
        return runtime.kafkaBootstrapServers()
                .orElseThrow(() -> new IllegalStateException("Kafka is disabled (aegaeon.kafka.enabled=false)"));
    }

    ResultLedger ledger() {
        return runtime.kafkaLedger().orElseThrow();
    }

    InFlight inFlight() {
        return inFlight;
    }

    ReplyTopics replyTopics() {
        ReplyTopics r = replyTopics;
        if (r == null) {
            synchronized (this) {
                if (replyTopics == null) replyTopics = new ReplyTopics(bootstrapServers(), replyTopicPrefixes);
                r = replyTopics;
            }
        }
        return r;
    }

    /** Records that {@code id}'s result is on the broker. */
    void answered(String id) {
        try {
            ledger().add(id);
        } catch (IOException e) {
            LOG.warnf("cannot record answered invocation %s: %s", id, e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        if (replyTopics != null) replyTopics.close();
    }
}
