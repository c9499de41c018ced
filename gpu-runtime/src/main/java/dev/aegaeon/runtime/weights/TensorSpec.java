package dev.aegaeon.runtime.weights;

import java.util.Arrays;

/** A tensor a model family needs: its HF name, its shape (row-major, HF's [out, in] for linears) and role. */
public record TensorSpec(String name, long[] shape, TensorRole role) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    public long elementCount() { return WeightTensor.elementCount(shape); }

    public boolean shapeMatches(long[] other) { return Arrays.equals(shape, other); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape) && role == t.role;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + Arrays.toString(shape); }
}
