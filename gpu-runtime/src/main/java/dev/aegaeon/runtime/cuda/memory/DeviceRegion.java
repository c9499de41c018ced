package dev.aegaeon.runtime.cuda.memory;

import jcuda.driver.CUdeviceptr;

/** A sub-range of the VRAM arena: its device address, offset in the arena and size. */
public record DeviceRegion(CUdeviceptr ptr, long offset, long bytes) {
    public CUdeviceptr at(long byteOffset) {
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IllegalArgumentException("offset " + byteOffset + " outside a region of " + bytes + " bytes");
        }
        return ptr.withByteOffset(byteOffset);
    }
}
