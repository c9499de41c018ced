package dev.aegaeon.runtime.engine;

/**
 * Device memory behind a KV cache's blocks, where the backend maps it block by block
 * ({@link dev.aegaeon.runtime.backend.Backend#backKvBlocks}): taken when blocks are allocated to
 * sequences, given back when they are freed, so a cache that addresses a whole device's pages holds
 * memory only for the blocks in use. Invariant: a block is backed exactly while it is allocated.
 */
public interface KvBlockBacking {
    /** Nothing to back: the cache holds all its memory from the start (or grows on its own). */
    KvBlockBacking NONE = new KvBlockBacking() {
        @Override public boolean back(int[] blocks) { return true; }

        @Override public void unback(int[] blocks) {}
    };

    /** Backs {@code blocks}; all or nothing: false, with nothing taken, when the device has no memory for them. */
    boolean back(int[] blocks);

    /** Gives back the memory of {@code blocks}; no step or copy uses them any more. */
    void unback(int[] blocks);
}
