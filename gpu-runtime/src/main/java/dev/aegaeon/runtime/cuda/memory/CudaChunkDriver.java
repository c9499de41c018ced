package dev.aegaeon.runtime.cuda.memory;

import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmemAccessDesc;
import jcuda.driver.CUmemAccess_flags;
import jcuda.driver.CUmemAllocationGranularity_flags;
import jcuda.driver.CUmemAllocationProp;
import jcuda.driver.CUmemAllocationType;
import jcuda.driver.CUmemGenericAllocationHandle;
import jcuda.driver.CUmemLocation;
import jcuda.driver.CUmemLocationType;
import jcuda.driver.CUresult;

import java.util.Optional;

import static jcuda.driver.JCudaDriver.*;

/**
 * {@link ChunkDriver} on CUDA's virtual memory management API (cuMemAddressReserve, cuMemCreate,
 * cuMemMap, cuMemSetAccess): chunks of the device's minimum granularity, read-write for this
 * device only. Every call makes the device's context current first, since pools call from their
 * compute, load and scheduler threads.
 */
public final class CudaChunkDriver implements ChunkDriver {
    private final CUcontext context;
    private final CUmemAllocationProp prop = new CUmemAllocationProp();
    private final CUmemAccessDesc[] access;
    private final long chunkBytes;

    public CudaChunkDriver(CUcontext context, int ordinal) {
        this.context = context;
        prop.type = CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED;
        prop.location = new CUmemLocation(CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE, ordinal);
        this.access = new CUmemAccessDesc[] {new CUmemAccessDesc(
                new CUmemLocation(CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE, ordinal), CUmemAccess_flags.CU_MEM_ACCESS_FLAGS_PROT_READWRITE)};
        long[] granularity = new long[1];
        cuCtxSetCurrent(context);
        cuMemGetAllocationGranularity(granularity, prop, CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM);
        this.chunkBytes = granularity[0];
    }

    private record CudaReservation(CUdeviceptr base, long bytes) implements Reservation {}

    private record CudaChunk(CUmemGenericAllocationHandle handle) implements Chunk {}

    @Override
    public long chunkBytes() { return chunkBytes; }

    @Override
    public Reservation reserve(long bytes) {
        cuCtxSetCurrent(context);
        CUdeviceptr base = new CUdeviceptr();
        cuMemAddressReserve(base, bytes, chunkBytes, new CUdeviceptr(), 0);
        return new CudaReservation(base, bytes);
    }

    @Override
    public void unreserve(Reservation reservation) {
        cuCtxSetCurrent(context);
        CudaReservation r = (CudaReservation) reservation;
        cuMemAddressFree(r.base(), r.bytes());
    }

    @Override
    public Optional<Chunk> create() {
        cuCtxSetCurrent(context);
        CUmemGenericAllocationHandle h = new CUmemGenericAllocationHandle();
        try {
            cuMemCreate(h, chunkBytes, prop, 0);
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(new CudaChunk(h));
    }

    @Override
    public void map(Reservation reservation, long offset, Chunk chunk) {
        cuCtxSetCurrent(context);
        CUdeviceptr at = address(reservation, offset);
        cuMemMap(at, chunkBytes, 0, ((CudaChunk) chunk).handle(), 0);
        cuMemSetAccess(at, chunkBytes, access, 1);
    }

    @Override
    public void unmap(Reservation reservation, long offset) {
        cuCtxSetCurrent(context);
        cuMemUnmap(address(reservation, offset), chunkBytes);
    }

    @Override
    public void destroy(Chunk chunk) {
        cuCtxSetCurrent(context);
        cuMemRelease(((CudaChunk) chunk).handle());
    }

    /** The device address of {@code offset} in {@code reservation}. */
    public static CUdeviceptr address(Reservation reservation, long offset) {
        return ((CudaReservation) reservation).base().withByteOffset(offset);
    }
}
