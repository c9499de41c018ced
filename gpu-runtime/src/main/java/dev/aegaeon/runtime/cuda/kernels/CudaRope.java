package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.backend.Rope;

/** The inverse-frequency table on the device; the kernel computes cos/sin from it per position. */
public record CudaRope(int headDim, DeviceRegion invFreq) implements Rope {}
