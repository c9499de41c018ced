package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.memory.RangeAllocator;
import dev.aegaeon.runtime.backend.KvCache;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.*;

/**
 * Moves a sequence's KV blocks between the GPU and pinned host memory on the device's swap stream,
 * each transfer with its own event, so compute (another model's decode step, say) runs while a
 * sequence drains or returns. Runs of consecutive block ids travel as one copy. Host space comes
 * from one pinned allocation sub-allocated like the weight pool.
 */
public final class KvSwapper implements AutoCloseable {
    private final CudaDevice dev;
    private final Pointer host;
    private final RangeAllocator hostSpace;

    /** A sequence's blocks held in host memory, and the event that marks the copy complete. */
    public record Swap(long hostOffset, long bytes, int[] blocks, CUevent done) {}

    public KvSwapper(CudaDevice dev, long hostBytes) {
        this.dev = dev;
        this.host = CudaDevice.allocPinned(hostBytes);
        this.hostSpace = new RangeAllocator(hostBytes, 4096);
    }

    /**
     * Queues the copy of {@code blocks} to host memory after the compute work queued so far (which
     * may still write them). The blocks may be reused once {@link Swap#done()} has completed.
     */
    public Swap swapOut(KvCache cache, int[] blocks) {
        CudaKvCache c = (CudaKvCache) cache;
        long bytes = c.blockBytes() * blocks.length;
        long offset = hostSpace.allocate(bytes).orElseThrow(() -> new IllegalStateException(
                "no room in pinned swap space for " + bytes + " bytes (" + hostSpace.free() + " free)"));
        CUstream swap = dev.swapStream();
        CUevent computed = CudaDevice.newSyncEvent();
        cuEventRecord(computed, dev.computeStream());
        cuStreamWaitEvent(swap, computed, 0);
        forEachRun(blocks, (first, start, count) -> cuMemcpyDtoHAsync(host.withByteOffset(offset + start * c.blockBytes()),
                c.region.ptr().withByteOffset(first * c.blockBytes()), count * c.blockBytes(), swap));
        CUevent done = CudaDevice.newSyncEvent();
        cuEventRecord(done, swap);
        cuEventDestroy(computed);
        return new Swap(offset, bytes, blocks.clone(), done);
    }

    /**
     * Queues the copy of a swapped-out sequence into {@code blocks} (same count, any ids) and makes
     * the compute stream wait for it, so the next step that reads them sees them. Frees the host
     * space once the copy is queued behind its event.
     */
    public CUevent swapIn(KvCache cache, Swap swapped, int[] blocks) {
        CudaKvCache c = (CudaKvCache) cache;
        if (blocks.length != swapped.blocks().length) {
            throw new IllegalArgumentException("swap-in needs " + swapped.blocks().length + " blocks, got " + blocks.length);
        }
        CUstream swap = dev.swapStream();
        cuStreamWaitEvent(swap, swapped.done(), 0);
        forEachRun(blocks, (first, start, count) -> cuMemcpyHtoDAsync(c.region.ptr().withByteOffset(first * c.blockBytes()),
                host.withByteOffset(swapped.hostOffset() + start * c.blockBytes()), count * c.blockBytes(), swap));
        CUevent done = CudaDevice.newSyncEvent();
        cuEventRecord(done, swap);
        cuStreamWaitEvent(dev.computeStream(), done, 0);
        cuStreamSynchronize(swap); // host space is reusable only after the copy has read it
        hostSpace.free(swapped.hostOffset());
        cuEventDestroy(swapped.done());
        return done;
    }

    private interface Run { void copy(long firstBlock, long indexInSwap, long count); }

    private static void forEachRun(int[] blocks, Run run) {
        int i = 0;
        while (i < blocks.length) {
            int j = i + 1;
            while (j < blocks.length && blocks[j] == blocks[j - 1] + 1) j++;
            run.copy(blocks[i], i, j - i);
            i = j;
        }
    }

    @Override
    public void close() {
        cuStreamSynchronize(dev.swapStream());
        cuMemFreeHost(host);
    }
}
