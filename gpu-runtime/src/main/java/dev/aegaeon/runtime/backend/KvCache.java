package dev.aegaeon.runtime.backend;

/**
 * Backend storage of a paged KV cache ({@link KvCacheShape}). Which blocks belong to which sequence is
 * decided by the engine's block allocator, never by the backend: ops address the cache only
 * through the slot mapping and block tables of a {@link StepInputs}.
 */
public interface KvCache {

    KvCacheShape shape();
}
