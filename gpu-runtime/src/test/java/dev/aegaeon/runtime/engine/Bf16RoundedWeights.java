package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * A {@link WeightSource} whose tensors are those of {@code inner} rounded to bf16 (round to
 * nearest even, as torch and the CUDA backend's host cache do) and widened back to float32: the
 * CPU engine reading it sees exactly the weight values the bf16 GPU path sees.
 */
final class Bf16RoundedWeights implements WeightSource {
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final WeightSource inner;
    private final Arena arena = Arena.ofShared();

    Bf16RoundedWeights(WeightSource inner) { this.inner = inner; }

    @Override
    public Set<String> names() { return inner.names(); }

    @Override
    public WeightTensor tensor(String name) {
        WeightTensor t = inner.tensor(name);
        long n = t.elementCount();
        MemorySegment out = arena.allocate(4 * n, 4);
        for (long i = 0; i < n; i++) out.set(FLOAT_LE, 4 * i, DType.bf16ToFloat(DType.floatToBf16(t.getFloat(i))));
        return new WeightTensor(name, DType.F32, t.shape(), out);
    }

    @Override
    public String describe() { return "bf16-rounded(" + inner.describe() + ")"; }

    @Override
    public void close() {
        inner.close();
        arena.close();
    }
}
