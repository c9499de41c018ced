package dev.aegaeon.platform.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * At-least-once bookkeeping for records processed out of order: per partition, the offsets still
 * in progress. The committable offset is the lowest one in progress (or one past the highest seen),
 * so a crash re-delivers every record whose result was not yet produced and nothing earlier.
 * Used only from the consumer's poll thread.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    void started(TopicPartition tp, long offset) {
        pending.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
        nextOffset.merge(tp, offset + 1, Math::max);
    }

    void done(TopicPartition tp, long offset) {
        TreeSet<Long> p = pending.get(tp);
        if (p != null) p.remove(offset);
    }

    /** Offsets that moved since the last call. */
    Map<TopicPartition, OffsetAndMetadata> toCommit() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (var e : nextOffset.entrySet()) {
            TreeSet<Long> p = pending.get(e.getKey());
            long safe = p == null || p.isEmpty() ? e.getValue() : p.first();
            if (!Long.valueOf(safe).equals(committed.get(e.getKey()))) {
                out.put(e.getKey(), new OffsetAndMetadata(safe));
                committed.put(e.getKey(), safe);
            }
        }
        return out;
    }

    /** An asynchronous commit failed: the next {@link #toCommit()} offers the partition again. */
    void commitFailed(TopicPartition tp) {
        committed.remove(tp);
    }

    void forget(TopicPartition tp) {
        pending.remove(tp);
        nextOffset.remove(tp);
        committed.remove(tp);
    }

    int inProgress() {
        return pending.values().stream().mapToInt(TreeSet::size).sum();
    }
}
