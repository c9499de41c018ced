package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.cuda.memory.HostModelCache;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.weights.DType;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * A parameter kept as bf16 (or f32 when its checkpoint stores f32): its bytes live in the pinned host model cache and, while resident, in
 * the weight pool. A load records {@link #ready} on the load stream; the first op that reads the
 * weight makes the compute stream wait on it (then never again until the next load), so a cold
 * model's layers start computing as soon as their own weights have arrived.
 */
final class CudaWeight implements Weight {
    private final int rows;
    private final int cols;
    final HostModelCache.Entry host;
    final CUevent ready = CudaDevice.newSyncEvent();
    DeviceRegion device;
    /** An fp32 copy of a bf16 vector for cuBLASLt's bias epilogue, made on first use while resident; null otherwise. */
    DeviceRegion f32Copy;
    boolean pending;

    CudaWeight(int rows, int cols, HostModelCache.Entry host) {
        this.rows = rows;
        this.cols = cols;
        this.host = host;
    }

    CUdeviceptr ptr() {
        if (device == null) throw new IllegalStateException("weight is not resident on the GPU (evicted)");
        return device.ptr();
    }

    boolean resident() { return device != null; }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public DType dtype() { return host.dtype; }

    boolean isF32() { return host.dtype == DType.F32; }

    @Override public long byteSize() { return host.bytes; }
}
