package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.backend.Tensor;
import jcuda.driver.CUdeviceptr;

/**
 * fp32 rows in the VRAM arena. Views share the {@link Storage}, whose version counts writes so that
 * the bf16 copy a matrix product needs is made once per write, not once per product (q, k and v
 * read the same normed rows; gate and up too).
 */
final class CudaTensor implements Tensor {

    static final class Storage {
        final DeviceRegion region;
        final int capacityRows;
        final int cols;
        long version;
        DeviceRegion bf16Shadow;
        long shadowVersion = -1;
        int shadowRows;

        Storage(DeviceRegion region, int capacityRows, int cols) {
            this.region = region;
            this.capacityRows = capacityRows;
            this.cols = cols;
        }
    }

    final Storage storage;
    private final int rows;

    CudaTensor(Storage storage, int rows) {
        this.storage = storage;
        this.rows = rows;
    }

    CUdeviceptr ptr() { return storage.region.ptr(); }

    /** Marks the contents changed (every op that writes this tensor calls it). */
    void written() { storage.version++; }

    @Override public int rows() { return rows; }

    @Override public int cols() { return storage.cols; }

    @Override
    public Tensor rowsView(int rows) {
        if (rows < 0 || rows > storage.capacityRows) {
            throw new IllegalArgumentException("view of " + rows + " rows of a " + storage.capacityRows + "-row tensor");
        }
        return new CudaTensor(storage, rows);
    }
}
