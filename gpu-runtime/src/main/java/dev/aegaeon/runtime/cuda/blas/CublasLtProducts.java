package dev.aegaeon.runtime.cuda.blas;

import java.util.Optional;
import java.util.logging.Logger;

import jcuda.driver.CUdeviceptr;

import static jcuda.driver.JCudaDriver.cuMemAlloc;

/**
 * Opens cuBLASLt for the current CUDA context when the options ask for it: a handle and its
 * workspace ({@link CublasLtMatmul#WORKSPACE_BYTES}, allocated beside the backend's arena and
 * freed with the context); empty, with one log line saying why, when the machine has no usable
 * library or no room (the backend then keeps its own kernels).
 */
public final class CublasLtProducts {
    private static final Logger LOG = Logger.getLogger(CublasLtProducts.class.getName());

    private CublasLtProducts() {}

    /** cuBLASLt for the context current on this thread, or empty (logged) when it cannot be had. */
    public static Optional<CublasLtMatmul> open() {
        Optional<CublasLtLibrary> lib = CublasLtLibrary.find();
        if (lib.isEmpty()) {
            LOG.warning("gemmLibrary=CUBLASLT: no usable cuBLASLt, matrix products on our GEMM kernels: " + CublasLtLibrary.whyAbsent());
            return Optional.empty();
        }
        try {
            CUdeviceptr workspace = new CUdeviceptr();
            cuMemAlloc(workspace, CublasLtMatmul.WORKSPACE_BYTES);
            CublasLtMatmul m = new CublasLtMatmul(lib.get(), DevicePointers.address(workspace));
            LOG.info("matrix products of more than 8 rows on cuBLASLt (" + lib.get().origin() + ")");
            return Optional.of(m);
        } catch (RuntimeException e) {
            LOG.warning("gemmLibrary=CUBLASLT: no usable cuBLASLt, matrix products on our GEMM kernels: " + e.getMessage());
            return Optional.empty();
        }
    }
}
