package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.Tensor;

/** fp32 rows on the Java heap; views share {@link #data}. */
final class CpuTensor implements Tensor {
    final float[] data;
    private final int rows;
    private final int cols;

    CpuTensor(float[] data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override
    public Tensor rowsView(int rows) {
        if (rows < 0 || rows > this.rows) {
            throw new IllegalArgumentException("view of " + rows + " rows of a " + this.rows + "-row tensor");
        }
        return new CpuTensor(data, rows, cols);
    }
}
