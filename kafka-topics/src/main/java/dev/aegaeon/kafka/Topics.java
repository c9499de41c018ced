package dev.aegaeon.kafka;

import java.time.Duration;
import java.util.List;

/**
 * The catalogue of every topic the platform reads or writes. Partition counts bound consumer
 * parallelism per node group; retention is chosen by how long each stream is useful: invocations
 * and dead letters are kept for replay and inspection, token deltas only while a caller listens.
 */
public final class Topics {
    private Topics() {}

    public static final TopicSpec INVOCATIONS = new TopicSpec("aegaeon.invocations", 4, Duration.ofDays(7));
    public static final TopicSpec RESULTS = new TopicSpec("aegaeon.results", 4, Duration.ofDays(1));
    public static final TopicSpec TOKENS = new TopicSpec("aegaeon.tokens", 4, Duration.ofHours(1));
    public static final TopicSpec INVOCATIONS_DLQ = new TopicSpec("aegaeon.invocations.dlq", 1, Duration.ofDays(14));

    public static final List<TopicSpec> ALL = List.of(INVOCATIONS, RESULTS, TOKENS, INVOCATIONS_DLQ);
}
