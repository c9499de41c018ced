package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.CudaDevice;
import jcuda.CudaException;
import jcuda.driver.CUevent;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static jcuda.driver.JCudaDriver.*;

/**
 * The KV hand-off from another GPU's engine into this backend's KV cache
 * ({@code CudaBackend.copyKvBlocksFrom}): a block holds K and V of every layer contiguously
 * ({@link CudaKvCache#blockBytes()}), so a run of consecutive source ids that lands on consecutive
 * target ids is one {@code cuMemcpyPeerAsync} from the source's arena to this one, queued on this
 * device's swap stream.
 *
 * <p>Ordering: the source finished every write to the blocks before it detached them (the
 * engine's {@code finishKvWrites}, a source compute-stream synchronisation on the source's own
 * thread), and nothing writes them until the hand-off frees them; the copies wait on an event
 * recorded on this device's compute stream (queued steps may still read the target blocks' earlier
 * contents), and the swap stream is synchronised before this returns, so the source's blocks may be
 * freed then and later compute here reads the copy. Nothing here touches the source's streams or
 * step graphs, which belong to the source's thread.
 *
 * <p>Peer access is enabled once per device pair, both ways ({@code cuDeviceCanAccessPeer},
 * {@code cuCtxEnablePeerAccess}; already enabled counts as enabled). Where it cannot be, the same
 * call still works: the driver then stages the copy through host memory (the CUDA programming
 * guide's peer-to-peer memory copy section), which is the host path without this engine's
 * fp32 widening. One call at a time per backend (the event is reused).
 */
public final class PeerKvCopies implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerKvCopies.class.getName());
    /** Per ordered pair of device ordinals (source << 32 | target): direct peer access is on. */
    private static final ConcurrentHashMap<Long, Boolean> PEER_ACCESS = new ConcurrentHashMap<>();

    private final CudaDevice dev;
    private final CUstream compute;
    private CUevent computed;

    public PeerKvCopies(CudaDevice dev, CUstream compute) {
        this.dev = dev;
        this.compute = compute;
    }

    /** A run of {@code count} consecutive source blocks copied onto consecutive target blocks. */
    record PeerRun(int sourceBlock, int targetBlock, int count) {}

    /** The runs of the pairing {@code source[i] -> target[i]}, in list order (a duplicate id starts a new run). */
    static List<PeerRun> runs(int[] source, int[] target) {
        if (source.length != target.length) {
            throw new IllegalArgumentException(source.length + " source blocks for " + target.length + " target blocks");
        }
        List<PeerRun> runs = new ArrayList<>();
        int i = 0;
        while (i < source.length) {
            int j = i + 1;
            while (j < source.length && source[j] == source[j - 1] + 1 && target[j] == target[j - 1] + 1) j++;
            runs.add(new PeerRun(source[i], target[i], j - i));
            i = j;
        }
        return runs;
    }

    /**
     * True when copies between the two devices go directly (same device, or peer access enabled
     * both ways); false when the driver stages them through host memory. Enables on first ask; may
     * change the calling thread's current context (callers make theirs current again).
     */
    public static boolean peerAccess(CudaDevice source, CudaDevice target) {
        if (source.ordinal() == target.ordinal()) return true;
        return PEER_ACCESS.computeIfAbsent(((long) source.ordinal() << 32) | target.ordinal(), pair -> {
            boolean on = enable(target, source) && enable(source, target);
            if (!on) {
                LOG.log(System.Logger.Level.INFO, "no peer access between GPU " + source.ordinal() + " and GPU "
                        + target.ordinal() + ": KV hand-offs between them are staged through host memory by the driver");
            }
            return on;
        });
    }

    /** Lets {@code from}'s context read and write {@code to}'s memory; false where the hardware cannot. */
    private static boolean enable(CudaDevice from, CudaDevice to) {
        int[] can = new int[1];
        cuDeviceCanAccessPeer(can, from.cuDevice(), to.cuDevice());
        if (can[0] == 0) return false;
        from.makeCurrent();
        try {
            cuCtxEnablePeerAccess(to.context(), 0);
        } catch (CudaException e) {
            if (!String.valueOf(e.getMessage()).contains(CUresult.stringFor(CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED))) {
                LOG.log(System.Logger.Level.WARNING, "enabling peer access from GPU " + from.ordinal() + " to GPU "
                        + to.ordinal() + " failed: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code sourceBlocks} of {@code source} (on {@code sourceDev}) into {@code blocks} of
     * {@code target} (this device), pairwise; they hold the copy on return (see the class comment).
     */
    public synchronized void copy(CudaDevice sourceDev, CudaKvCache source, int[] sourceBlocks, CudaKvCache target, int[] blocks) {
        if (source.blockBytes() != target.blockBytes()) {
            throw new IllegalArgumentException("KV blocks of " + source.blockBytes() + " and " + target.blockBytes()
                    + " bytes: not the same model and block size");
        }
        List<PeerRun> runs = runs(sourceBlocks, blocks);
        if (runs.isEmpty()) return;
        peerAccess(sourceDev, dev);
        dev.makeCurrent();
        CUstream swap = dev.swapStream();
        long bytes = target.blockBytes();
        try {
            if (computed == null) computed = CudaDevice.newSyncEvent();
            dev.ops().graphs().flushThen(() -> cuEventRecord(computed, compute));
            cuStreamWaitEvent(swap, computed, 0);
            for (PeerRun r : runs) {
                cuMemcpyPeerAsync(target.region.ptr().withByteOffset(r.targetBlock() * bytes), dev.context(),
                        source.region.ptr().withByteOffset(r.sourceBlock() * bytes), sourceDev.context(), r.count() * bytes, swap);
            }
            cuStreamSynchronize(swap); // the source frees the blocks next; later steps here read the copy
        } catch (RuntimeException e) {
            try {
                cuStreamSynchronize(swap);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (computed == null) return;
        dev.makeCurrent();
        cuEventDestroy(computed);
        computed = null;
    }
}
