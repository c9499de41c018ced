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
 * broker, or dead-lettered), by id and by partition. An id runs at most once at a time here, and
 * a partition is handed to another node only after its invocations here are finished, so the new
 * owner's scan of the results topic sees their answers and does not run them again.
 */
final class InFlight {
    private final Set<String> ids = new HashSet<>();
    private final Map<TopicPartition, Integer> perPartition = new HashMap<>();

    /** @return false when {@code id} is already running here (the record is a duplicate) */
    synchronized boolean start(String id, TopicPartition tp) {
        if (!ids.add(id)) return false;
        perPartition.merge(tp, 1, Integer::sum);
        return true;
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
