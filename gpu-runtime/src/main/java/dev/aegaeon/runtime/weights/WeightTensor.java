package dev.aegaeon.runtime.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor: dtype, shape and its bytes (little-endian, row-major), usually a slice of a
 * memory-mapped file, never a copy on the Java heap. Invariant: {@code data.byteSize() ==
 * elementCount() * dtype.byteSize()}.
 */
public record WeightTensor(String name, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public WeightTensor {
        shape = shape.clone();
        long expected = elementCount(shape) * dtype.byteSize();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize()
                    + " bytes, but shape " + Arrays.toString(shape) + " x " + dtype + " needs " + expected);
        }
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long elementCount() { return elementCount(shape); }

    public int rank() { return shape.length; }

    public long dim(int i) { return shape[i]; }

    @Override
    public long[] shape() { return shape.clone(); }

    /** Element {@code index} (flat, row-major) widened to float. */
    public float getFloat(long index) {
        return switch (dtype) {
            case BF16 -> DType.bf16ToFloat(data.get(SHORT_LE, index * 2));
            case F16 -> Float.float16ToFloat(data.get(SHORT_LE, index * 2));
            case F32 -> data.get(FLOAT_LE, index * 4);
        };
    }

    @Override
    public String toString() {
        return "WeightTensor[" + name + " " + dtype + Arrays.toString(shape) + "]";
    }
}
