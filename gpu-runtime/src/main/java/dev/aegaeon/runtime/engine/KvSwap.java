package dev.aegaeon.runtime.engine;

/**
 * A swapped-out sequence's KV cache, made by {@link InferenceEngine#swapOut} (a {@link Host} copy),
 * {@link InferenceEngine#detach} (a {@link Detached} set still on the source device) or
 * {@link InferenceEngine#dropForRecompute} (a {@link Recompute}: nothing kept, the KV is computed again), and
 * consumed by {@link InferenceEngine#swapIn} or {@link InferenceEngine#adopt}: {@link #blocks()}
 * blocks holding {@link #cachedTokens()} positions. Whoever holds one and drops it without swapping
 * it in calls {@link #discard()}, or a detached set's device blocks stay reserved for ever.
 */
public sealed interface KvSwap {

    int blocks();

    int cachedTokens();

    /** Bytes a host copy of this KV occupies (the CPU layout, fp32), whether or not one was made. */
    long bytes();

    /** Frees what this KV still holds: nothing for a host copy; a detached set's blocks on its source. Idempotent. */
    void discard();

    /** The KV copied to host memory; the source's blocks are already free. */
    record Host(float[] data, int blocks, int cachedTokens) implements KvSwap {
        @Override
        public long bytes() { return 4L * data.length; }

        @Override
        public void discard() {}
    }

    /**
     * The KV dropped, to be computed again by a prefill of the cached positions when swapped back in
     * (recompute preemption, for when host memory for a copy runs out); nothing is held meanwhile.
     */
    record Recompute(int blocks, int cachedTokens) implements KvSwap {
        @Override
        public long bytes() { return 0; }

        @Override
        public void discard() {}
    }

    /**
     * The KV left where it is: {@code source} keeps the blocks reserved (ids in position order)
     * until an adopting engine copied them device to device, or until {@link #discard()}. Exactly
     * one of the two releases them (the source's ledger of detached sets decides; see
     * {@link InferenceEngine#detachedBlocks()}).
     */
    record Detached(InferenceEngine source, int[] blockIds, int cachedTokens, long bytes) implements KvSwap {
        public Detached {
            blockIds = blockIds.clone();
        }

        /** A copy: the ids are the source's reservation and must not change. */
        @Override
        public int[] blockIds() { return blockIds.clone(); }

        @Override
        public int blocks() { return blockIds.length; }

        @Override
        public void discard() { source.releaseDetached(this); }

        // Identity, not value: two detachments of equal ids at different times are different reservations.
        @Override
        public boolean equals(Object o) { return this == o; }

        @Override
        public int hashCode() { return System.identityHashCode(this); }
    }
}
