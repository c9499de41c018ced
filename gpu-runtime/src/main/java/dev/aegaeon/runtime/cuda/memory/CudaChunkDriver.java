package dev.aegaeon.runtime.cuda.memory;

import dev.aegaeon.runtime.cuda.blas.DevicePointers;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuMemAddressFree;
import static jcuda.driver.JCudaDriver.cuMemAddressReserve;

/**
 * {@link ChunkDriver} on CUDA's virtual memory management API: chunks of the device's minimum
 * granularity, read-write for this device only. Addresses are reserved through JCuda (a plain call
 * that yields the {@link CUdeviceptr} kernels take); the calls with structures (cuMemCreate,
 * cuMemSetAccess, cuMemGetAllocationGranularity) and their companions go to libcuda through the
 * foreign function API, because JCuda 12.6 fills CUmemAllocationProp's flags from the wrong object and
 * leaves its reserved bytes unset, which the driver requires to be zero. Every call makes the
 * device's context current first: pools call from their compute, load and scheduler threads.
 */
public final class CudaChunkDriver implements ChunkDriver {
    private static final int CU_MEM_ALLOCATION_TYPE_PINNED = 1, CU_MEM_LOCATION_TYPE_DEVICE = 1;
    private static final int CU_MEM_ACCESS_FLAGS_PROT_READWRITE = 3, CU_MEM_ALLOC_GRANULARITY_MINIMUM = 0;
    private static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    private static final long PROP_BYTES = 32, ACCESS_DESC_BYTES = 12;

    private final CUcontext context;
    private final Calls calls;
    /** CUmemAllocationProp for this device, zeroed but for type and location; lives as long as the driver. */
    private final MemorySegment prop;
    /** One CUmemAccessDesc: this device, read-write. */
    private final MemorySegment access;
    private final long chunkBytes;

    public CudaChunkDriver(CUcontext context, int ordinal) {
        this.context = context;
        this.calls = Calls.get();
        Arena arena = Arena.ofAuto();
        prop = arena.allocate(PROP_BYTES, 8).fill((byte) 0);
        prop.set(JAVA_INT, 0, CU_MEM_ALLOCATION_TYPE_PINNED);
        prop.set(JAVA_INT, 8, CU_MEM_LOCATION_TYPE_DEVICE);
        prop.set(JAVA_INT, 12, ordinal);
        access = arena.allocate(ACCESS_DESC_BYTES, 4).fill((byte) 0);
        access.set(JAVA_INT, 0, CU_MEM_LOCATION_TYPE_DEVICE);
        access.set(JAVA_INT, 4, ordinal);
        access.set(JAVA_INT, 8, CU_MEM_ACCESS_FLAGS_PROT_READWRITE);
        cuCtxSetCurrent(context);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment granularity = call.allocate(JAVA_LONG);
            check("cuMemGetAllocationGranularity", (int) calls.granularity.invokeExact(granularity, prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
            this.chunkBytes = granularity.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private record CudaReservation(CUdeviceptr base, long address, long bytes) implements Reservation {}

    private record CudaChunk(long handle) implements Chunk {}

    @Override
    public long chunkBytes() { return chunkBytes; }

    @Override
    public Reservation reserve(long bytes) {
        cuCtxSetCurrent(context);
        CUdeviceptr base = new CUdeviceptr();
        cuMemAddressReserve(base, bytes, chunkBytes, new CUdeviceptr(), 0);
        return new CudaReservation(base, DevicePointers.address(base), bytes);
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
        try (Arena call = Arena.ofConfined()) {
            MemorySegment handle = call.allocate(JAVA_LONG);
            int result = (int) calls.create.invokeExact(handle, chunkBytes, prop, 0L);
            if (result == CUDA_ERROR_OUT_OF_MEMORY) return Optional.empty();
            check("cuMemCreate", result);
            return Optional.of(new CudaChunk(handle.get(JAVA_LONG, 0)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void map(Reservation reservation, long offset, Chunk chunk) {
        cuCtxSetCurrent(context);
        long at = ((CudaReservation) reservation).address() + offset;
        try {
            check("cuMemMap", (int) calls.map.invokeExact(at, chunkBytes, 0L, ((CudaChunk) chunk).handle(), 0L));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void open(Reservation reservation, long offset, long bytes) {
        cuCtxSetCurrent(context);
        long at = ((CudaReservation) reservation).address() + offset;
        try { // one range over several mappings, as PyTorch's expandable segments set access
            check("cuMemSetAccess", (int) calls.setAccess.invokeExact(at, bytes, access, 1L));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void unmap(Reservation reservation, long offset) {
        cuCtxSetCurrent(context);
        try {
            check("cuMemUnmap", (int) calls.unmap.invokeExact(((CudaReservation) reservation).address() + offset, chunkBytes));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void destroy(Chunk chunk) {
        cuCtxSetCurrent(context);
        try {
            check("cuMemRelease", (int) calls.release.invokeExact(((CudaChunk) chunk).handle()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public CUdeviceptr address(Reservation reservation, long offset) {
        return ((CudaReservation) reservation).base().withByteOffset(offset);
    }

    private static void check(String call, int result) {
        if (result != 0) throw new CudaException(call + ": " + CUresult.stringFor(result));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** libcuda's virtual memory entry points, bound once per process. */
    private record Calls(MethodHandle granularity, MethodHandle create, MethodHandle release, MethodHandle map,
                         MethodHandle unmap, MethodHandle setAccess) {
        private static volatile Calls bound;

        static Calls get() {
            Calls c = bound;
            if (c == null) {
                synchronized (Calls.class) {
                    if (bound == null) bound = bind(SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()));
                    c = bound;
                }
            }
            return c;
        }

        private static Calls bind(SymbolLookup cuda) {
            Linker l = Linker.nativeLinker();
            // CUresult is an int; size_t, CUdeviceptr, handles and flags are 64-bit.
            return new Calls(
                    l.downcallHandle(cuda.findOrThrow("cuMemGetAllocationGranularity"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)),
                    l.downcallHandle(cuda.findOrThrow("cuMemCreate"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG)),
                    l.downcallHandle(cuda.findOrThrow("cuMemRelease"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG)),
                    l.downcallHandle(cuda.findOrThrow("cuMemMap"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG)),
                    l.downcallHandle(cuda.findOrThrow("cuMemUnmap"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG)),
                    l.downcallHandle(cuda.findOrThrow("cuMemSetAccess"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG)));
        }
    }
}
