package dev.aegaeon.platform.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * The invocations this node has taken from Kafka and not yet finished (result acknowledged by the
 * broker, or dead-lettered), by id and by partition, and the partitions this node owns. An id runs
 * at most once at a time here; an invocation starts only on a partition this node still owns (the
 * connector may hand over records it fetched before the partition was revoked); and a partition is
 * handed to another node only after its invocations here are finished, so the new owner's scan of
 * the results topic sees their answers and does not run them again.
 */
final class InFlight {
    /** What {@link #start} decided. */
    enum Start { STARTED, ALREADY_RUNNING, NOT_OWNED }

    private final Set<String> ids = new HashSet<>();
    private final Map<TopicPartition, Integer> perPartition = new HashMap<>();
    private final Set<TopicPartition> owned = new HashSet<>();

    synchronized Start start(String id, TopicPartition tp) {
        if (!owned.contains(tp)) return Start.NOT_OWNED;
        if (!ids.add(id)) return Start.ALREADY_RUNNING;
        perPartition.merge(tp, 1, Integer::sum);
        return Start.STARTED;
    }

    synchronized void assigned(Collection<TopicPartition> partitions) {
        owned.addAll(partitions);
    }

    /** No invocation of {@code partitions} starts here after this returns. */
    synchronized void revoked(Collection<TopicPartition> partitions) {
        owned.removeAll(partitions);
    }

    synchronized void finish(String id, TopicPartition tp) {
        if (!ids.remove(id)) return;
        perPartition.computeIfPresent(tp, (k, n) -> n == 1 ? null : n - 1);
        notifyAll();
    }

    /** Waits until no invocation of {@code partitions} is in flight, at most {@code timeout}; false when time ran out. */
    synchronized boolean awaitFinished(Collection<TopicPartition> partitions, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(perPartition::containsKey)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int size() {
        return ids.size();
    }

    synchronized Set<TopicPartition> partitions() {
        return new HashSet<>(perPartition.keySet());
    }
}
