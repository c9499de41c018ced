package dev.aegaeon.platform.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The {@code invocations} channel's rebalance listener ({@code consumer-rebalance-listener.name}),
 * run on the connector's polling thread. A partition is given up only once its invocations here
 * are answered (bounded by {@link #HANDOVER_TIMEOUT}); a partition taken over first learns from
 * {@code aegaeon.results} which of its uncommitted records were answered already (by a node that
 * crashed or handed it over), so none of them runs twice.
 */
@ApplicationScoped
@Identifier(InvocationPartitions.NAME)
public class InvocationPartitions implements KafkaConsumerRebalanceListener {
    static final String NAME = "aegaeon-invocations";
    private static final Logger LOG = Logger.getLogger(InvocationPartitions.class);
    /** Well below the consumer's max.poll.interval.ms, so waiting never gets this member evicted. */
    static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(60);

    @Inject
    KafkaFrontDoor door;
    private AnsweredElsewhere answeredElsewhere;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) return;
        // Learn what others answered before any record of these partitions can start here.
        if (answeredElsewhere == null) answeredElsewhere = new AnsweredElsewhere(door.bootstrapServers(), door.ledger());
        answeredElsewhere.learn(partitions, consumer.committed(new HashSet<>(partitions)));
        door.inFlight().assigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        door.inFlight().revoked(partitions);
        try {
            if (!door.inFlight().awaitFinished(partitions, HANDOVER_TIMEOUT))
                LOG.warnf("invocations on %s still running after %s: their new owner may run them again", partitions, HANDOVER_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void close() {
        if (answeredElsewhere != null) answeredElsewhere.close();
    }
}
