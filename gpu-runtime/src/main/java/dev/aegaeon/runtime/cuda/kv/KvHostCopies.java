package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.CudaDevice;
import jcuda.driver.CUstream;

/**
 * The engine's KV swap between device blocks and the CPU backend's host layout
 * ({@link KvHostLayout}), synchronous, after the compute work queued so far: through a pinned
 * staging buffer ({@link PinnedKvCopies}, 3-9x faster on the H100) or, when that path is switched
 * off, one pageable copy per block ({@link PageableKvCopies}). Both give the same floats.
 */
public final class KvHostCopies implements AutoCloseable {
    private final PinnedKvCopies pinned;
    private final PageableKvCopies pageable;
    private volatile boolean usePinned;

    public KvHostCopies(CudaDevice dev, CUstream compute, long stagingBytes, boolean usePinned) {
        this.pinned = new PinnedKvCopies(dev, compute, stagingBytes);
        this.pageable = new PageableKvCopies(dev, compute);
        this.usePinned = usePinned;
    }

    /** Selects the pinned or the pageable path (tests and the bench compare the two). */
    public void usePinned(boolean on) { usePinned = on; }

    /** The blocks, widened to fp32 in the host layout. */
    public float[] read(CudaKvCache c, int[] blocks) {
        return usePinned ? pinned.read(c, blocks) : pageable.read(c, blocks);
    }

    /** Rounds {@code host} back to bf16 into the blocks (exact for values {@link #read} returned); done when this returns. */
    public void write(CudaKvCache c, int[] blocks, float[] host) {
        if (host.length != (long) KvHostLayout.hostLength(c.shape(), blocks.length)) {
            throw new IllegalArgumentException("host KV copy of " + host.length + " floats does not fit " + blocks.length + " blocks");
        }
        if (usePinned) pinned.write(c, blocks, host);
        else pageable.write(c, blocks, host);
    }

    @Override
    public void close() { pinned.close(); }
}
