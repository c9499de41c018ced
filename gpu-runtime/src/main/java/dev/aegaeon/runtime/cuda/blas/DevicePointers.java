package dev.aegaeon.runtime.cuda.blas;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The raw addresses behind JCuda's handles, for libraries called through the foreign function API
 * on the same context (JCuda keeps them in protected fields).
 */
public final class DevicePointers {
    private static final MethodHandle NATIVE_POINTER, BYTE_OFFSET;

    static {
        try {
            var np = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            var bo = Pointer.class.getDeclaredMethod("getByteOffset");
            np.setAccessible(true);
            bo.setAccessible(true);
            NATIVE_POINTER = MethodHandles.lookup().unreflect(np);
            BYTE_OFFSET = MethodHandles.lookup().unreflect(bo);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DevicePointers() {}

    /** A device pointer's address, its byte offset included; 0 for null. */
    public static long address(Pointer p) {
        if (p == null) return 0;
        try {
            return (long) NATIVE_POINTER.invoke((NativePointerObject) p) + (long) BYTE_OFFSET.invoke(p);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read a device pointer's address", t);
        }
    }

    /** A handle's address (a stream, an event); 0 for null, which is also the default stream. */
    public static long handle(NativePointerObject h) {
        if (h == null) return 0;
        try {
            return (long) NATIVE_POINTER.invoke(h);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read a handle's address", t);
        }
    }
}
