package dev.aegaeon.runtime.backend;

/**
 * An fp32 activation matrix {@code [rows x cols]}, row-major, owned by the backend that allocated it
 * (host memory for the CPU backend, device memory for CUDA). The engine never reads its elements
 * directly: it passes tensors to {@link Backend} ops and copies out only through
 * {@link Backend#copyToHost}.
 *
 * <p>Invariants: {@code rows() >= 0}, {@code cols() > 0}; a tensor is only ever passed to the backend
 * that created it; {@link #rowsView(int)} shares storage with its parent (no copy).
 */
public interface Tensor {

    int rows();

    int cols();

    /** The first {@code rows} rows of this tensor, sharing its storage. Requires {@code rows <= rows()}. */
    Tensor rowsView(int rows);
}
