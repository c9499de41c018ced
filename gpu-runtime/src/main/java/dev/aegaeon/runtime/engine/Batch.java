package dev.aegaeon.runtime.engine;

import java.util.List;

/**
 * The sequences one step runs together. Invariant: all belong to the same {@link InferenceEngine}
 * (one model) and none appears twice; the engine rejects anything else.
 */
public record Batch(List<Sequence> sequences) {

    public Batch {
        sequences = List.copyOf(sequences);
        if (sequences.isEmpty()) throw new IllegalArgumentException("a batch needs at least one sequence");
        if (sequences.stream().distinct().count() != sequences.size()) {
            throw new IllegalArgumentException("a sequence appears twice in the batch");
        }
    }

    public static Batch of(Sequence... sequences) { return new Batch(List.of(sequences)); }

    public int size() { return sequences.size(); }
}
