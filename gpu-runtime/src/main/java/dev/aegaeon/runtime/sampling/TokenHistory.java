package dev.aegaeon.runtime.sampling;

import java.util.BitSet;
import java.util.function.IntConsumer;

/**
 * What the penalties need of one sequence: which ids its prompt holds and how often each id was
 * generated. Grows by {@link #accept}; not thread-safe (the owner engine's step thread).
 */
public final class TokenHistory {
    /** Counts the generated ids. */
    @FunctionalInterface
    public interface CountConsumer { void accept(int id, int count); }

    private final BitSet prompt = new BitSet();
    private final java.util.HashMap<Integer, Integer> generated = new java.util.HashMap<>();

    public TokenHistory(int[] promptIds) {
        for (int id : promptIds) prompt.set(id);
    }

    public void accept(int id) { generated.merge(id, 1, Integer::sum); }

    /** Each id of the prompt or the output, once. */
    public void forEachSeen(IntConsumer action) {
        prompt.stream().forEach(action);
        for (int id : generated.keySet()) if (!prompt.get(id)) action.accept(id);
    }

    /** Each generated id with its count. */
    public void forEachGenerated(CountConsumer action) {
        generated.forEach(action::accept);
    }
}
