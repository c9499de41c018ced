package dev.aegaeon.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** One topic of the catalogue: its name, partition count and how long the broker keeps records. */
public record TopicSpec(String name, int partitions, Duration retention) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(retention, "retention");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        if (retention.isNegative() || retention.isZero())
            throw new IllegalArgumentException("retention must be positive: " + retention);
    }

    /** The topic-level configs the broker applies (only retention; everything else is the broker default). */
    public Map<String, String> configs() {
        return Map.of("retention.ms", Long.toString(retention.toMillis()));
    }
}
