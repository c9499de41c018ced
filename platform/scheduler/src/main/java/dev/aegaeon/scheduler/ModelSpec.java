package dev.aegaeon.scheduler;

/**
 * What the scheduler needs to know about a model: the bytes its weights occupy in an instance's
 * weight pool (all shards together for a tensor-parallel instance) and the KV-cache bytes one
 * token occupies. Nothing here is simulator-specific.
 */
public record ModelSpec(String name, long weightBytes, long kvBytesPerToken) {
    public ModelSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("model name must not be blank");
        if (weightBytes <= 0) throw new IllegalArgumentException("weightBytes must be positive for " + name);
        if (kvBytesPerToken <= 0) throw new IllegalArgumentException("kvBytesPerToken must be positive for " + name);
    }
}
