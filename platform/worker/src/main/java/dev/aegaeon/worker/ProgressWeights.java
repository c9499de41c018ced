package dev.aegaeon.worker;

import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;
import java.util.Optional;
import java.util.Set;

/**
 * A view of a model's host weights that advances a {@link LoadProgress} by each tensor's bytes as
 * the engine takes it to copy onto the device. Closing the view leaves the source open (the
 * model's host cache owns it).
 */
final class ProgressWeights implements WeightSource {
    private final WeightSource source;
    private final LoadProgress progress;

    ProgressWeights(WeightSource source, LoadProgress progress) {
        this.source = source;
        this.progress = progress;
    }

    /** Bytes of every tensor of {@code source} (views of host memory: nothing is copied to count them). */
    static long totalBytes(WeightSource source) {
        long total = 0;
        for (String n : source.names()) total += source.tensor(n).data().byteSize();
        return total;
    }

    @Override public Set<String> names() { return source.names(); }

    @Override
    public WeightTensor tensor(String name) {
        WeightTensor t = source.tensor(name);
        progress.advance(t.data().byteSize());
        return t;
    }

    @Override public Optional<String> identity() { return source.identity(); }

    @Override public String describe() { return source.describe(); }

    @Override public void close() {}
}
