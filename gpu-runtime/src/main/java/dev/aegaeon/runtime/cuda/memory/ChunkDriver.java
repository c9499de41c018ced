package dev.aegaeon.runtime.cuda.memory;

import java.util.Optional;

/**
 * The device calls that memory on demand needs (CUDA's virtual memory management: address ranges
 * reserved with nothing behind them, physical chunks created, mapped and unmapped one at a time).
 * Only {@link CudaChunkDriver} touches the device; the bookkeeping above it ({@link ChunkBudget},
 * {@link OnDemandSpan}) is plain Java and tested against a fake.
 *
 * <p>Invariants a caller keeps: offsets are multiples of {@link #chunkBytes()} inside the
 * reservation; an offset is mapped at most once at a time; a chunk is behind at most one offset;
 * before {@link #unmap} the caller has waited for every queued use of the address.
 */
public interface ChunkDriver {
    /** Bytes of one physical chunk (the device's allocation granularity, 2 MiB on NVIDIA GPUs). */
    long chunkBytes();

    /** Reserves {@code bytes} (a multiple of {@link #chunkBytes()}) of device addresses with no memory behind them. */
    Reservation reserve(long bytes);

    /** The device address of {@code offset} in {@code reservation}, as kernels and copies take it. */
    jcuda.driver.CUdeviceptr address(Reservation reservation, long offset);

    /** Gives the addresses back; nothing may be mapped there any more. */
    void unreserve(Reservation reservation);

    /** A new chunk of device memory, or empty when the device has none left. */
    Optional<Chunk> create();

    /** Puts {@code chunk} behind {@code offset} of {@code reservation}; nothing may touch it before {@link #open}. */
    void map(Reservation reservation, long offset, Chunk chunk);

    /**
     * Opens {@code [offset, offset + bytes)} of {@code reservation}, every chunk of which is mapped,
     * to this device's kernels and copies: one call for a run of chunks mapped together (a
     * 15-GB model is 7,260 chunks, and the calls, not the bytes, are what mapping costs).
     */
    void open(Reservation reservation, long offset, long bytes);

    /** Takes away the chunk behind {@code offset}; the chunk itself lives on until {@link #destroy}. */
    void unmap(Reservation reservation, long offset);

    /** Frees a chunk that is mapped nowhere. */
    void destroy(Chunk chunk);

    /** A reserved address range. */
    interface Reservation {
        long bytes();
    }

    /** A chunk of physical device memory; opaque outside its driver. */
    interface Chunk {}
}
