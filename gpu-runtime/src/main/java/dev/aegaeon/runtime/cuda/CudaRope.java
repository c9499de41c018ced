package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.Rope;

/** The inverse-frequency table on the device; the kernel computes cos/sin from it per position. */
record CudaRope(int headDim, DeviceRegion invFreq) implements Rope {}
