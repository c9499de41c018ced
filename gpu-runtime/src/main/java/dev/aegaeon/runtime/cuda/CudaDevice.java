package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import dev.aegaeon.runtime.cuda.arch.DeviceQuery;
import dev.aegaeon.runtime.cuda.arch.KernelImageChoice;
import dev.aegaeon.runtime.cuda.arch.KernelImageManifest;
import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kernels.KernelModules;
import dev.aegaeon.runtime.cuda.kernels.StepGraphs;
import dev.aegaeon.runtime.cuda.memory.ChunkBudget;
import dev.aegaeon.runtime.cuda.memory.CudaChunkDriver;
import dev.aegaeon.runtime.cuda.memory.DeviceArena;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import static jcuda.driver.JCudaDriver.*;

/**
 * One GPU: its primary context, three streams (compute; weight loads; KV swaps), the kernels and
 * the VRAM arena (with, where memory is on demand, the budget it shares with growing KV caches).
 * Created once per GPU and reused for every model: a switch re-initialises nothing here. Callers
 * on a new thread call {@link #makeCurrent()} first (CUDA contexts are per thread).
 */
public final class CudaDevice implements AutoCloseable {
    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream compute = new CUstream();
    private final CUstream load = new CUstream();
    private final CUstream swap = new CUstream();
    private final String name;
    private static final System.Logger LOG = System.getLogger(CudaDevice.class.getName());
    private final DeviceLimits limits;
    private final String kernelImages;
    private final KernelModules kernels;
    private final DeviceArena arena;
    /** The budget of mapped memory when memory is on demand; else null. */
    private final ChunkBudget chunks;
    private final CudaOps ops;
    private final CudaConfig config;

    private CudaDevice(int ordinal, CudaConfig config) {
        this.ordinal = ordinal;
        this.config = config;
        CudaAvailability a = CudaAvailability.probe();
        if (!a.available()) throw new IllegalStateException(a.reason());
        cuDeviceGet(device, ordinal);
        this.name = DeviceQuery.name(device);
        this.limits = DeviceQuery.limits(device);
        int driver = DeviceQuery.driverCudaVersion();
        KernelImageManifest manifest = KernelImageManifest.packaged();
        if (!(KernelImageChoice.choose(limits.capability(), driver, manifest, CudaOptions.current().kernelArch())
                instanceof KernelImageChoice.Load choice)) {
            throw new IllegalStateException("GPU " + ordinal + " " + name + " cannot run this jar's kernels (see CudaAvailability)");
        }
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        cuStreamCreate(compute, CUstream_flags.CU_STREAM_NON_BLOCKING);
        cuStreamCreate(load, CUstream_flags.CU_STREAM_NON_BLOCKING);
        cuStreamCreate(swap, CUstream_flags.CU_STREAM_NON_BLOCKING);
        this.kernels = new KernelModules(manifest, choice);
        this.kernelImages = choice.describe() + " (nvcc " + manifest.nvccVersion() + "): " + String.join(" ", kernels.loadedImages());
        LOG.log(System.Logger.Level.INFO, "CUDA GPU " + ordinal + " " + name + " (" + limits + ", driver for CUDA "
                + DeviceQuery.cudaVersion(driver) + ") kernel images: " + kernelImages);
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        long memoryBytes = (long) (free[0] * config.memoryShareOfFree()) & ~((1L << 21) - 1);
        boolean virtualMemory = DeviceQuery.supportsVirtualMemory(device);
        if (config.onDemandMemory() && !virtualMemory) {
            LOG.log(System.Logger.Level.WARNING, "CUDA GPU " + ordinal + " " + name + " does not support virtual memory management:"
                    + " its memory is held as one allocation and every model keeps a fixed KV pool (aegaeon.cuda.deviceMemory=ON_DEMAND needs it)");
        }
        if (config.onDemandOn(virtualMemory)) {
            this.chunks = new ChunkBudget(new CudaChunkDriver(context, ordinal), memoryBytes);
            // Freed weights' chunks stay mapped as spares: the next model's load lands there without a map.
            // The arena unmaps only spares (when a commit finds the budget short) and at close, so its wait
            // skips the load stream: a weight is freed only after its own copy landed (CudaWeights waits for
            // the load stream first), and a KV commit on the compute thread must not wait behind a load.
            this.arena = DeviceArena.onDemand(chunks, memoryBytes, this::synchronizeComputeAndSwap, true);
        } else {
            this.chunks = null;
            this.arena = DeviceArena.allocated(memoryBytes);
        }
        this.ops = new CudaOps(kernels, limits);
    }

    public static CudaDevice open(int ordinal, CudaConfig config) { return new CudaDevice(ordinal, config); }

    public void makeCurrent() { cuCtxSetCurrent(context); }

    public String name() { return name; }

    public int ordinal() { return ordinal; }

    /** The primary context (peer copies name both contexts). */
    public CUcontext context() { return context; }

    public CUdevice cuDevice() { return device; }

    public int multiprocessors() { return limits.multiprocessors(); }

    /** What this GPU allows a launch (read from its attributes at open). */
    public DeviceLimits limits() { return limits; }

    /** Which kernel images this context loaded and why, in one line (also logged at open). */
    public String kernelImages() { return kernelImages; }

    /**
     * The compute stream, after any launches a step still holds back for its graph are queued
     * (so work the caller queues next runs after them; see {@link StepGraphs}).
     */
    public CUstream computeStream() {
        flush();
        return compute;
    }

    /** Queues the launches a recording step still holds back (see {@link StepGraphs}). */
    public void flush() { ops.graphs().flush(); }

    public CUstream loadStream() { return load; }

    public CUstream swapStream() { return swap; }

    public DeviceArena arena() { return arena; }

    /** The device's budget of mapped memory, which the arena and growing KV caches share; empty unless memory is on demand. */
    public java.util.Optional<ChunkBudget> chunks() { return java.util.Optional.ofNullable(chunks); }

    public CudaOps ops() { return ops; }

    public CudaConfig config() { return config; }

    /** An event for ordering streams (no timing, cheapest to record and wait on). */
    public static CUevent newSyncEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, jcuda.driver.CUevent_flags.CU_EVENT_DISABLE_TIMING);
        return e;
    }

    public static CUevent newTimingEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, jcuda.driver.CUevent_flags.CU_EVENT_DEFAULT);
        return e;
    }

    /**
     * Issues what the step recorder holds and waits for the compute stream. Safe from any thread: the
     * wait runs under the recorder's lock, so it never meets another thread's graph capture of the
     * compute stream (a synchronisation then invalidates the capture and fails itself, as a
     * copy-thread eviction did on the H100).
     */
    public void synchronize() {
        ops.graphs().flushThen(() -> cuStreamSynchronize(compute));
    }

    /** As {@link #synchronize}, and the swap stream too: every stream but the load stream is idle after it. */
    public void synchronizeComputeAndSwap() {
        makeCurrent();
        synchronize();
        cuStreamSynchronize(swap);
    }

    /** Pinned host memory (page-locked, so copies run at full PCIe speed and asynchronously). */
    public static Pointer allocPinned(long bytes) {
        if (bytes >= Integer.MAX_VALUE) { // JCuda wraps the allocation in one ByteBuffer
            throw new IllegalArgumentException("one pinned allocation must stay below 2 GiB, asked for " + bytes + " bytes");
        }
        Pointer p = new Pointer();
        cuMemHostAlloc(p, bytes, 0);
        return p;
    }

    @Override
    public void close() {
        makeCurrent();
        ops.graphs().clear(compute);
        cuStreamSynchronize(compute);
        cuStreamSynchronize(load);
        cuStreamSynchronize(swap);
        arena.close();
        if (chunks != null) chunks.trim();
        cuStreamDestroy(compute);
        cuStreamDestroy(load);
        cuStreamDestroy(swap);
        cuDevicePrimaryCtxRelease(device);
    }
}
