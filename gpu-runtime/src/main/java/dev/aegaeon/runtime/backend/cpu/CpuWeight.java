package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.weights.DType;
import java.lang.foreign.MemorySegment;

/**
 * A weight read in place from its (usually memory-mapped) segment: the CPU backend copies no matrix.
 * Vectors (norm gammas, biases: one row) are small and widened to fp32 once, lazily.
 */
final class CpuWeight implements Weight {
    private static final CpuKernels KERNELS = CpuKernels.best();
    private final String name;
    private final MemorySegment data;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private volatile float[] widened;

    CpuWeight(String name, MemorySegment data, DType dtype, int rows, int cols) {
        this.name = name;
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    String name() { return name; }

    MemorySegment data() { return data; }

    @Override public DType dtype() { return dtype; }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long byteSize() { return data.byteSize(); }

    float[] widenedVector() {
        float[] w = widened;
        if (w == null) {
            w = new float[cols];
            KERNELS.widenRow(this, 0, w);
            widened = w;
        }
        return w;
    }

    @Override
    public String toString() { return "CpuWeight[" + name + " " + dtype + " " + rows + "x" + cols + "]"; }
}
