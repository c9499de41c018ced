package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.memory.HostModelCache;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

import static jcuda.driver.JCudaDriver.*;

/**
 * The backend's KV swap ({@code readKvBlocks}/{@code writeKvBlocks}) through one reusable pinned
 * staging buffer: the blocks of a chunk travel as asynchronous copies on the device's swap stream
 * (one per run of consecutive block ids, {@link KvBlockRuns}), ordered after the compute work
 * queued so far by an event, and the host side converts between the device's bf16 blocks and the
 * CPU backend's fp32 layout ({@link KvHostLayout}) in the pinned memory itself.
 *
 * <p>Invariants: one call at a time uses the buffer (calls come from a device's compute and copy
 * threads, hence the lock); every call has synchronised the swap stream before it releases the
 * lock, so no copy is in flight when the buffer is reused, grown or freed, and blocks written by
 * {@link #write} are in device memory for any work queued after it returns. The buffer grows on
 * demand up to {@code limitBytes} (a longer list goes in several chunks) and lives until
 * {@link #close}.
 */
public final class PinnedKvCopies implements AutoCloseable {
    private final CudaDevice dev;
    private final CUstream compute;
    private final long limitBytes;
    private Pointer pinned; // null until first use and after close
    private long capacity;
    private MemorySegment staging;
    private CUevent computed;

    /** @param limitBytes the most pinned memory the buffer grows to (one block more when a block is larger) */
    public PinnedKvCopies(CudaDevice dev, CUstream compute, long limitBytes) {
        this.dev = dev;
        this.compute = compute;
        this.limitBytes = limitBytes;
    }

    /** Swap-out: {@code blocks} of {@code c} in the CPU backend's host layout. */
    public synchronized float[] read(CudaKvCache c, int[] blocks) {
        float[] host = new float[KvHostLayout.hostLength(c.shape(), blocks.length)];
        if (blocks.length == 0) return host;
        dev.makeCurrent();
        CUstream swap = dev.swapStream();
        int chunk = KvBlockRuns.blocksPerChunk(c.blockBytes(), limitBytes);
        ensureCapacity(Math.min(chunk, blocks.length) * c.blockBytes());
        try {
            afterQueuedCompute(swap); // queued steps may still write the blocks
            for (int from = 0; from < blocks.length; from += chunk) {
                int to = Math.min(blocks.length, from + chunk), first = from;
                for (KvBlockRuns r : KvBlockRuns.of(blocks, from, to)) {
                    cuMemcpyDtoHAsync(pinned.withByteOffset(r.firstIndex() * c.blockBytes()),
                            c.region.ptr().withByteOffset(r.firstBlock() * c.blockBytes()), r.count() * c.blockBytes(), swap);
                }
                cuStreamSynchronize(swap);
                IntStream.range(from, to).parallel().forEach(i -> KvHostLayout.blockToHost(c.shape(), staging,
                        (i - first) * c.blockBytes(), i, blocks.length, host));
            }
        } catch (RuntimeException e) {
            drain(swap, e);
            throw e;
        }
        return host;
    }

    /** Swap-in: {@code host} (as {@link #read} returned it) into {@code blocks} of {@code c}; they hold it on return. */
    public synchronized void write(CudaKvCache c, int[] blocks, float[] host) {
        if (host.length != KvHostLayout.hostLength(c.shape(), blocks.length)) {
            throw new IllegalArgumentException("host KV copy of " + host.length + " floats does not fit " + blocks.length + " blocks");
        }
        if (blocks.length == 0) return;
        dev.makeCurrent();
        CUstream swap = dev.swapStream();
        int chunk = KvBlockRuns.blocksPerChunk(c.blockBytes(), limitBytes);
        ensureCapacity(Math.min(chunk, blocks.length) * c.blockBytes());
        try {
            afterQueuedCompute(swap); // queued steps may still read the blocks' previous contents
            for (int from = 0; from < blocks.length; from += chunk) {
                int to = Math.min(blocks.length, from + chunk), first = from;
                IntStream.range(from, to).parallel().forEach(i -> KvHostLayout.hostToBlock(c.shape(), host, i, blocks.length,
                        staging, (i - first) * c.blockBytes()));
                for (KvBlockRuns r : KvBlockRuns.of(blocks, from, to)) {
                    cuMemcpyHtoDAsync(c.region.ptr().withByteOffset(r.firstBlock() * c.blockBytes()),
                            pinned.withByteOffset(r.firstIndex() * c.blockBytes()), r.count() * c.blockBytes(), swap);
                }
                cuStreamSynchronize(swap); // the staging buffer is refilled next; later compute reads the blocks
            }
        } catch (RuntimeException e) {
            drain(swap, e);
            throw e;
        }
    }

    /** After a failed call: no copy may still use the buffer when the next call refills it. */
    private static void drain(CUstream swap, RuntimeException failure) {
        try {
            cuStreamSynchronize(swap);
        } catch (RuntimeException again) {
            failure.addSuppressed(again);
        }
    }

    /** Makes {@code swap} wait for everything queued on the compute stream so far (step graphs flushed first). */
    private void afterQueuedCompute(CUstream swap) {
        if (computed == null) computed = CudaDevice.newSyncEvent();
        dev.ops().graphs().flushThen(() -> cuEventRecord(computed, compute));
        cuStreamWaitEvent(swap, computed, 0);
    }

    private void ensureCapacity(long bytes) {
        if (pinned != null && capacity >= bytes) return;
        freeBuffer();
        long rounded = (bytes + (1L << 20) - 1) & -(1L << 20);
        if (rounded >= Integer.MAX_VALUE) rounded = bytes; // allocPinned explains the limit
        pinned = CudaDevice.allocPinned(rounded);
        capacity = rounded;
        staging = HostModelCache.segment(pinned, rounded);
    }

    private void freeBuffer() {
        if (pinned == null) return;
        cuMemFreeHost(pinned);
        pinned = null;
        staging = null;
        capacity = 0;
    }

    /** Frees the buffer and the event (no copy is in flight between calls). */
    @Override
    public synchronized void close() {
        dev.makeCurrent();
        freeBuffer();
        if (computed != null) { cuEventDestroy(computed); computed = null; }
    }
}
