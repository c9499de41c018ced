package dev.aegaeon.runtime.weights;

import java.util.Optional;
import java.util.Set;

/**
 * Where a model's tensors come from: a safetensors directory (memory-mapped) or synthetic seeded
 * weights. Tensor names follow HF's conventions ({@link WeightNames}). Tensors stay valid until
 * {@link #close()}; implementations must be safe to read from several threads.
 */
public interface WeightSource extends AutoCloseable {

    /** Names of every tensor this source holds. */
    Set<String> names();

    default boolean has(String name) { return names().contains(name); }

    /**
     * The tensor called {@code name}.
     *
     * @throws WeightFormatException naming the source and the tensor when it is absent
     */
    WeightTensor tensor(String name);

    /**
     * What the bytes are, independently of this object: two sources with equal identities hold
     * byte-identical tensors under the same names, so a backend may keep one host copy for both
     * (each model still gets its own device copy). Empty when the source cannot promise that;
     * the backend then copies per load.
     */
    default Optional<String> identity() { return Optional.empty(); }

    /** A human-readable origin for error messages (a path, or "synthetic(seed=...)"). */
    String describe();

    @Override
    void close();
}
