package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.Rope;

/**
 * Cos/sin per position, computed on demand and cached as positions grow. The angle is the fp32
 * product {@code position * invFreq}, as HF computes it, then cos/sin of that float.
 */
final class CpuRope implements Rope {
    private final float[] invFreq;
    private volatile float[] cos = new float[0];
    private volatile float[] sin = new float[0];

    CpuRope(float[] invFreq) { this.invFreq = invFreq.clone(); }

    @Override public int headDim() { return invFreq.length * 2; }

    /** Makes positions {@code 0 .. maxPosition} available; call before the parallel part of an op. */
    synchronized void ensure(int maxPosition) {
        int half = invFreq.length;
        int have = cos.length / half;
        if (maxPosition < have) return;
        int want = Math.max(maxPosition + 1, Math.max(64, have * 2));
        float[] c = java.util.Arrays.copyOf(cos, want * half);
        float[] s = java.util.Arrays.copyOf(sin, want * half);
        for (int p = have; p < want; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        sin = s;
        cos = c;
    }

    float[] cosTable() { return cos; }

    float[] sinTable() { return sin; }
}
