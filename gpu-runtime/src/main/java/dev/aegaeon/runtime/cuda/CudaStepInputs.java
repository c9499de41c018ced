package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

/**
 * A step's indices in device memory, uploaded with one copy into a buffer the backend reuses
 * (ordered on the compute stream, so a step never overwrites indices an earlier step still reads).
 * Besides the layout's arrays it holds, per token, its sequence and position for the general
 * attention kernel, and per sequence the last position for decode.
 */
final class CudaStepInputs implements StepInputs {
    private final StepLayout layout;
    /**
     * Row stride of the uploaded block tables: maxBlocksPerSeq rounded up to a power of two, so
     * steps whose longest sequence grows by a block keep the same addresses and kernel arguments
     * (and so the same step graph); the padding is -1 like the layout's unused entries.
     */
    final int tableStride;
    final CUdeviceptr tokenIds, positions, slots, tokenSeq, blockTables, logitRows, decodeSeq, decodeLast;

    private CudaStepInputs(StepLayout layout, CUdeviceptr base, int[] offsets) {
        this.layout = layout;
        this.tableStride = tableStride(layout);
        tokenIds = base.withByteOffset(4L * offsets[0]);
        positions = base.withByteOffset(4L * offsets[1]);
        slots = base.withByteOffset(4L * offsets[2]);
        tokenSeq = base.withByteOffset(4L * offsets[3]);
        blockTables = base.withByteOffset(4L * offsets[4]);
        logitRows = base.withByteOffset(4L * offsets[5]);
        decodeSeq = base.withByteOffset(4L * offsets[6]);
        decodeLast = base.withByteOffset(4L * offsets[7]);
    }

    /** Ints the packed upload of {@code layout} needs. */
    static int packedInts(StepLayout l) {
        return 3 * l.numTokens() + l.numTokens() + l.numSeqs() * tableStride(l) + l.logitRows().length + 2 * l.numSeqs() + 8;
    }

    static int tableStride(StepLayout l) {
        int m = l.maxBlocksPerSeq();
        return m <= 1 ? 1 : Integer.highestOneBit(m - 1) << 1;
    }

    static CudaStepInputs upload(StepLayout l, CUdeviceptr buffer, CUstream stream) {
        int n = l.numTokens(), seqs = l.numSeqs();
        int[] packed = new int[packedInts(l)];
        int[] offsets = new int[8];
        int at = 0;
        int[][] parts = new int[8][];
        parts[0] = l.tokenIds();
        parts[1] = l.positions();
        parts[2] = l.slotMapping();
        int[] tokenSeq = new int[n];
        for (int s = 0; s < seqs; s++) for (int t = l.queryStart()[s]; t < l.queryStart()[s + 1]; t++) tokenSeq[t] = s;
        parts[3] = tokenSeq;
        int stride = tableStride(l), m = l.maxBlocksPerSeq();
        int[] tables = new int[seqs * stride];
        java.util.Arrays.fill(tables, -1);
        for (int s = 0; s < seqs; s++) System.arraycopy(l.blockTables(), s * m, tables, s * stride, m);
        parts[4] = tables;
        parts[5] = l.logitRows();
        int[] decodeSeq = new int[seqs], decodeLast = new int[seqs];
        for (int s = 0; s < seqs; s++) { decodeSeq[s] = s; decodeLast[s] = l.contextLengths()[s] - 1; }
        parts[6] = decodeSeq;
        parts[7] = decodeLast;
        for (int i = 0; i < 8; i++) {
            offsets[i] = at;
            System.arraycopy(parts[i], 0, packed, at, parts[i].length);
            at += parts[i].length;
        }
        cuMemcpyHtoDAsync(buffer, Pointer.to(packed), 4L * at, stream);
        return new CudaStepInputs(l, buffer, offsets);
    }

    @Override public StepLayout layout() { return layout; }
}
