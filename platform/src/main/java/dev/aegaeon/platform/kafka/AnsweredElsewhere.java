package dev.aegaeon.platform.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Makes idempotency hold across nodes. When a node takes over invocation partitions from another
 * (that crashed after producing results but before committing their offsets), the records after
 * the committed offset are redelivered here, but this node's {@link ResultLedger} has never seen
 * their ids. So before consuming them, read the results topic from the time of the first
 * uncommitted invocation to its end and record every answered id: the results topic itself is
 * the cluster-wide ledger. All results partitions are read, because a producer outside Java may
 * partition invocations differently from how results are partitioned.
 *
 * <p>Covers crashes (a dead node writes nothing more) and live hand-overs, where the previous
 * owner finishes its invocations of a partition before giving it up ({@link InvocationPartitions}).
 */
final class AnsweredElsewhere implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnsweredElsewhere.class);
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(20);

    private final KafkaConsumer<byte[], byte[]> reader;
    private final String resultsTopic;
    private final ResultLedger ledger;

    AnsweredElsewhere(String bootstrapServers, ResultLedger ledger) {
        this.reader = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "aegaeon-answered-scan"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = dev.aegaeon.kafka.Topics.RESULTS.name();
        this.ledger = ledger;
    }

    /**
     * Records the ids answered since the oldest uncommitted invocation of {@code assigned}.
     * {@code committed} are the group's committed offsets for them (absent = never committed).
     * Runs on the consumer's poll thread, before any of those records is handled.
     */
    void learn(Collection<TopicPartition> assigned, Map<TopicPartition, OffsetAndMetadata> committed) {
        if (assigned.isEmpty()) return;
        long since = Long.MAX_VALUE;
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata c = committed.get(tp);
            since = Math.min(since, timestampAt(tp, c == null ? 0 : c.offset()));
        }
        if (since == Long.MAX_VALUE) return; // nothing uncommitted: nothing can be redelivered
        int learned = scanResultsSince(since);
        if (learned > 0) LOG.infof("%d invocation(s) already answered by other nodes will not run again", learned);
    }

    /** Timestamp of the record at {@code offset}, or Long.MAX_VALUE when there is none yet. */
    private long timestampAt(TopicPartition tp, long offset) {
        reader.assign(List.of(tp));
        long end = reader.endOffsets(List.of(tp)).get(tp);
        if (offset >= end) return Long.MAX_VALUE;
        reader.seek(tp, offset);
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) return r.timestamp();
        }
        return 0; // could not read it: fall back to scanning everything
    }

    private int scanResultsSince(long timestamp) {
        List<PartitionInfo> infos = reader.partitionsFor(resultsTopic);
        if (infos == null || infos.isEmpty()) return 0;
        List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(resultsTopic, i.partition())).toList();
        reader.assign(parts);
        Map<TopicPartition, Long> query = new HashMap<>();
        parts.forEach(p -> query.put(p, timestamp));
        Map<TopicPartition, OffsetAndTimestamp> starts = reader.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = reader.endOffsets(parts);
        Set<TopicPartition> pending = new java.util.HashSet<>();
        for (TopicPartition p : parts) {
            OffsetAndTimestamp s = starts.get(p);
            if (s == null || s.offset() >= ends.get(p)) continue;
            reader.seek(p, s.offset());
            pending.add(p);
        }
        reader.pause(parts.stream().filter(p -> !pending.contains(p)).toList());
        int learned = 0;
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (r.key() != null) {
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    if (!ledger.contains(id)) {
                        try {
                            ledger.add(id);
                            learned++;
                        } catch (IOException e) {
                            LOG.warnf("cannot record answered invocation %s: %s", id, e.getMessage());
                        }
                    }
                }
            }
            pending.removeIf(p -> reader.position(p) >= ends.get(p));
        }
        if (!pending.isEmpty()) LOG.warnf("results scan incomplete after %s on %s: redelivered invocations may run twice", SCAN_TIMEOUT, pending);
        reader.unsubscribe();
        return learned;
    }

    @Override
    public void close() {
        reader.close(Duration.ofSeconds(2));
    }
}
