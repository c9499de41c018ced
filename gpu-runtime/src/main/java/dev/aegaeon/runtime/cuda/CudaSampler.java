package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.*;

/**
 * Token sampling on the device: each row's parameters and uniform draw uploaded into one arena
 * buffer (grown when a batch outgrows it), one kernel, the ids back. Synchronous: returns after
 * the compute stream has drained.
 */
final class CudaSampler {
    private final CudaDevice dev;
    private final CudaOps ops;
    private final CUstream compute;
    private DeviceRegion buffer;

    CudaSampler(CudaDevice dev, CudaOps ops, CUstream compute) {
        this.dev = dev;
        this.ops = ops;
        this.compute = compute;
    }

    int[] sample(CudaTensor logits, SamplingRows rows) {
        int n = rows.size();
        long bytes = 24L * n + 64;
        ops.graphs().flush();
        if (buffer == null || buffer.bytes() < bytes) {
            if (buffer != null) { cuStreamSynchronize(compute); dev.arena().free(buffer); }
            buffer = dev.arena().allocateOrThrow(Math.max(bytes, 1 << 14), "sampling parameters");
        }
        CUdeviceptr base = buffer.ptr();
        CUdeviceptr uniform = base, temp = base.withByteOffset(8L * n), topP = base.withByteOffset(12L * n),
                topK = base.withByteOffset(16L * n), ids = base.withByteOffset(20L * n);
        cuMemcpyHtoDAsync(uniform, Pointer.to(rows.uniform()), 8L * n, compute);
        cuMemcpyHtoDAsync(temp, Pointer.to(rows.temperature()), 4L * n, compute);
        cuMemcpyHtoDAsync(topP, Pointer.to(rows.topP()), 4L * n, compute);
        cuMemcpyHtoDAsync(topK, Pointer.to(rows.topK()), 4L * n, compute);
        ops.sample(compute, logits.ptr(), n, logits.cols(), temp, topK, topP, uniform, ids);
        int[] out = new int[n];
        cuMemcpyDtoHAsync(Pointer.to(out), ids, 4L * n, compute);
        cuStreamSynchronize(compute);
        return out;
    }
}
