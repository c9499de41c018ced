package dev.aegaeon.scheduler;

/**
 * What the scheduler needs to know about a model: the bytes its weights occupy in an instance's
 * weight pool (all shards together for a tensor-parallel instance), the KV-cache bytes one token
 * occupies, and how that KV is paged on a device ({@link #kvBytes} is what a sequence reserves).
 * Nothing here is simulator-specific.
 */
public record ModelSpec(String name, long weightBytes, long kvBytesPerToken, KvPaging kvPaging) {
    public ModelSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("model name must not be blank");
        if (weightBytes <= 0) throw new IllegalArgumentException("weightBytes must be positive for " + name);
        if (kvBytesPerToken <= 0) throw new IllegalArgumentException("kvBytesPerToken must be positive for " + name);
        if (kvPaging == null) throw new IllegalArgumentException("kvPaging is required for " + name);
        if (kvPaging.pageBytes() < kvPaging.tokensPerPage() * kvBytesPerToken) {
            throw new IllegalArgumentException("a KV page of " + kvPaging.pageBytes() + " bytes cannot hold " + kvPaging.tokensPerPage()
                    + " tokens of " + kvBytesPerToken + " bytes for " + name);
        }
    }

    /** KV counted token by token ({@link KvPaging#perToken}). */
    public ModelSpec(String name, long weightBytes, long kvBytesPerToken) {
        this(name, weightBytes, kvBytesPerToken, KvPaging.perToken(Math.max(1, kvBytesPerToken)));
    }

    /** Device bytes the KV of a sequence of {@code tokens} positions occupies (whole pages). */
    public long kvBytes(long tokens) { return kvPaging.bytesFor(tokens); }
}
