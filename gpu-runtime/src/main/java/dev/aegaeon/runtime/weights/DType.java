package dev.aegaeon.runtime.weights;

import java.util.Optional;

/** Element types of stored weights; names are the safetensors dtype strings. */
public enum DType {
    BF16(2), F16(2), F32(4);

    private final int byteSize;

    DType(int byteSize) { this.byteSize = byteSize; }

    public int byteSize() { return byteSize; }

    /** The safetensors spelling ("BF16", "F16", "F32"); empty for types we do not support. */
    public static Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) if (d.name().equals(name)) return Optional.of(d);
        return Optional.empty();
    }

    /** bf16 is the top half of an IEEE float: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round-to-nearest-even, as torch does when casting float32 to bfloat16. NaN stays NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
