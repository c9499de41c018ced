package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.memory.HostCacheKeys;
import dev.aegaeon.runtime.cuda.memory.HostModelCache;
import dev.aegaeon.runtime.weights.WeightTensor;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

/**
 * Weight residency on one device: a weight's bytes live in the pinned host model cache (shared by
 * source identity, refcounted) and, while resident, in the arena's weight pool. A load is one
 * asynchronous copy on the load stream with an event; the first op that reads the weight makes the
 * compute stream wait for that event only, so compute overlaps a model's load.
 */
final class CudaWeights implements AutoCloseable {
    private final CudaDevice dev;
    private final CUstream compute;
    private final HostModelCache hostCache;
    private final HostCacheKeys hostKeys = new HostCacheKeys();
    /** Marks the compute stream's queue when weights are evicted (see {@link #evictAll}). */
    private final CUevent computeDrained;

    CudaWeights(CudaDevice dev, long hostCacheBytes) {
        this.dev = dev;
        this.compute = dev.computeStream();
        this.hostCache = new HostModelCache(hostCacheBytes);
        dev.makeCurrent();
        this.computeDrained = CudaDevice.newSyncEvent();
    }

    /** A weight of its own on the device; its pinned host copy is shared with every load of the same identity. */
    CudaWeight load(WeightTensor source, Optional<String> sourceIdentity) {
        dev.makeCurrent();
        int rows = source.rank() == 1 ? 1 : Math.toIntExact(source.dim(0));
        int cols = Math.toIntExact(source.rank() == 1 ? source.dim(0) : source.elementCount() / rows);
        CudaWeight w = new CudaWeight(rows, cols, hostCache.acquire(hostKeys.sourceKey(sourceIdentity), source));
        prefetch(w);
        return w;
    }

    /** Starts copying {@code w} from the host cache to the GPU (no-op when resident). */
    void prefetch(CudaWeight w) {
        if (w.resident()) return;
        dev.makeCurrent();
        w.device = dev.arena().allocateOrThrow(w.byteSize(), "a " + w.rows() + "x" + w.cols() + " weight");
        cuMemcpyHtoDAsync(w.device.ptr(), w.host.pinned, w.host.bytes, dev.loadStream());
        cuEventRecord(w.ready, dev.loadStream());
        w.pending = true;
    }

    /** Frees {@code w}'s VRAM after every queued use and load, keeping its pinned host copy. */
    void evict(CudaWeight w) { evictAll(List.of(w)); }

    /** Evicts {@code w} and drops its reference to the host copy. */
    void release(CudaWeight w) { releaseAll(List.of(w)); }

    /** Evicts a model's weights together and drops their references to the host copies. */
    synchronized void releaseAll(List<CudaWeight> ws) {
        evictAll(ws);
        for (CudaWeight w : ws) hostCache.unref(w.host);
    }

    /**
     * Frees the VRAM of every resident weight of {@code ws}: one wait for the steps queued before now
     * and for the queued loads, then every region freed at once (on demand: one decommit), instead of
     * both waits per weight, about 340 times for a 7B model. The event is recorded under the step
     * recorder's lock, so no graph capture of the compute thread's step is in progress when it is
     * queued, and waited for outside it, so the compute thread keeps recording meanwhile.
     */
    private synchronized void evictAll(List<CudaWeight> ws) {
        List<DeviceRegion> regions = new ArrayList<>(ws.size());
        for (CudaWeight w : ws) {
            if (w.resident()) regions.add(w.device);
            if (w.f32Copy != null) regions.add(w.f32Copy);
        }
        if (regions.isEmpty()) return;
        dev.makeCurrent();
        dev.ops().graphs().flushThen(() -> cuEventRecord(computeDrained, compute));
        cuEventSynchronize(computeDrained);
        cuStreamSynchronize(dev.loadStream());
        dev.arena().freeAll(regions); // throws with nothing freed: the weights stay resident
        for (CudaWeight w : ws) {
            w.device = null;
            w.f32Copy = null;
            w.pending = false;
        }
    }

    /** Blocks until every queued weight load has landed. */
    void awaitLoads() {
        dev.makeCurrent();
        cuStreamSynchronize(dev.loadStream());
    }

    /**
     * An fp32 copy of the bf16 vector {@code w} on the device, made from its pinned host copy on first
     * use and freed with the weight: cuBLASLt's bias epilogue takes no bf16 bias on an fp32 output.
     * The compute thread's call: the copy of a few KiB is queued on the compute stream (a pageable
     * copy on another stream could land after the kernel that reads it) and awaited once.
     */
    CUdeviceptr f32Copy(CudaWeight w) {
        if (w.rows() != 1 || w.isF32()) throw new IllegalArgumentException("an fp32 copy is for bf16 vectors, not a " + w.rows() + "x" + w.cols() + " " + w.dtype());
        w.ptr(); // resident, or a clear error
        if (w.f32Copy == null) {
            int n = w.cols();
            java.nio.ShortBuffer bf16 = w.host.pinned.getByteBuffer(0, 2L * n).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = Float.intBitsToFloat((bf16.get(i) & 0xffff) << 16);
            DeviceRegion r = dev.arena().allocateOrThrow(4L * n, "an fp32 bias");
            cuMemcpyHtoDAsync(r.ptr(), jcuda.Pointer.to(values), 4L * n, compute);
            cuStreamSynchronize(compute);
            w.f32Copy = r;
        }
        return w.f32Copy.ptr();
    }

    /** The weight's device pointer; the first use after a load makes compute wait for its arrival. */
    CUdeviceptr use(CudaWeight w) {
        CUdeviceptr p = w.ptr();
        if (w.pending) {
            dev.ops().graphs().flushDirect(); // the wait is no kernel: this step is not replayed as a graph
            cuStreamWaitEvent(compute, w.ready, 0);
            w.pending = false; // everything later on the compute stream is ordered after this wait
        }
        return p;
    }

    long hostCacheBytes() { return hostCache.usedBytes(); }

    @Override
    public void close() {
        hostCache.close();
        cuEventDestroy(computeDrained);
    }
}
