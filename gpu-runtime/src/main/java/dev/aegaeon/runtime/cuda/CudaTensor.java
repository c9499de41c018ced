package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.backend.Tensor;
import jcuda.driver.CUdeviceptr;

/**
 * fp32 rows in the VRAM arena. Views share the {@link Storage}, whose version counts writes so that
 * the bf16 copy a matrix product needs is made once per write, not once per product (q, k and v
 * read the same normed rows; gate and up too). An op that writes only the bf16 copy (the bf16 MLP, bf16-only inputs)
 * leaves the fp32 values stale: {@link #ptr()}, the readers' address, then fails loudly until the
 * next ordinary write.
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
        /** The last write went to the bf16 copy only: the fp32 values are older than it. */
        boolean fp32Stale;
        /** Only matrix products and copies to the host read it (Backend#allocateProductInput). */
        final boolean productInput;

        Storage(DeviceRegion region, int capacityRows, int cols) { this(region, capacityRows, cols, false); }

        Storage(DeviceRegion region, int capacityRows, int cols, boolean productInput) {
            this.region = region;
            this.capacityRows = capacityRows;
            this.cols = cols;
            this.productInput = productInput;
        }

        /** Marks the contents changed by an ordinary (fp32) write. */
        void written() {
            version++;
            fp32Stale = false;
        }

        /** Marks the contents changed by one op that wrote the fp32 values and the bf16 copy's first {@code rows} rows. */
        void writtenWithBf16(int rows) {
            written();
            shadowVersion = version;
            shadowRows = rows;
        }

        /** Marks the contents changed by a write of the bf16 copy's first {@code rows} rows alone. */
        void writtenBf16Only(int rows) {
            writtenWithBf16(rows);
            fp32Stale = true;
        }
    }

    final Storage storage;
    private final int rows;

    CudaTensor(Storage storage, int rows) {
        this.storage = storage;
        this.rows = rows;
    }

    /**
     * The fp32 values' address for an op that reads them (in-place ops included); an
     * IllegalStateException where they are stale (only the bf16 copy holds the values).
     */
    CUdeviceptr ptr() {
        if (storage.fp32Stale) {
            throw new IllegalStateException("a " + rows + "x" + storage.cols + " tensor's fp32 values are stale: the bf16 MLP"
                    + " (aegaeon.cuda.bf16Mlp) or bf16-only inputs (aegaeon.cuda.bf16OnlyInputs) wrote only its bf16 operand,"
                    + " which only the matrix products and copies to the host read");
        }
        return storage.region.ptr();
    }

    /** The fp32 values' address for an op that only writes them (and then calls {@link #written()}). */
    CUdeviceptr writePtr() { return storage.region.ptr(); }

    /** Marks the contents changed (every op that writes this tensor calls it). */
    void written() { storage.written(); }

    /** As {@link #written()}, the same op having written the bf16 copy of {@code rows} rows too (fused operands). */
    void writtenWithBf16(int rows) { storage.writtenWithBf16(rows); }

    /** Marks only the bf16 copy of {@code rows} rows written: the fp32 values are stale (the bf16 MLP, bf16-only inputs). */
    void writtenBf16Only(int rows) { storage.writtenBf16Only(rows); }

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
