package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.CudaDevice;
import jcuda.Pointer;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * The engine's KV swap without staging: one synchronous pageable copy per block, in the CPU
 * backend's host layout ({@link KvHostLayout}). Slower than {@link PinnedKvCopies}; kept as the
 * selectable reference path ({@code aegaeon.cuda.pinnedKvCopies=false}).
 */
public final class PageableKvCopies {
    private final CudaDevice dev;
    private final CUstream compute;

    public PageableKvCopies(CudaDevice dev, CUstream compute) {
        this.dev = dev;
        this.compute = compute;
    }

    /** The blocks, after the compute work queued so far, widened into the host layout. */
    public float[] read(CudaKvCache c, int[] blocks) {
        float[] host = new float[KvHostLayout.hostLength(c.shape(), blocks.length)];
        short[] block = new short[Math.toIntExact(c.blockElems())];
        dev.makeCurrent();
        dev.ops().graphs().flush();
        cuStreamSynchronize(compute);
        for (int i = 0; i < blocks.length; i++) {
            cuMemcpyDtoH(Pointer.to(block), c.region.ptr().withByteOffset(blocks[i] * c.blockBytes()), c.blockBytes());
            KvHostLayout.blockToHost(c.shape(), block, i, blocks.length, host);
        }
        return host;
    }

    /**
     * Rounds the host copy back to bf16 into the blocks. A pageable copy may still be in flight
     * when cuMemcpyHtoD returns and the compute stream does not wait on the legacy stream, hence
     * the context synchronisation before any later op can read the blocks.
     */
    public void write(CudaKvCache c, int[] blocks, float[] host) {
        short[] block = new short[Math.toIntExact(c.blockElems())];
        dev.makeCurrent();
        dev.ops().graphs().flush();
        cuStreamSynchronize(compute); // queued ops may still read the blocks' previous contents
        for (int i = 0; i < blocks.length; i++) {
            KvHostLayout.hostToBlock(c.shape(), host, i, blocks.length, block);
            cuMemcpyHtoD(c.region.ptr().withByteOffset(blocks[i] * c.blockBytes()), Pointer.to(block), c.blockBytes());
        }
        cuCtxSynchronize();
    }
}
