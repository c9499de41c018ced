package dev.aegaeon.runtime.backend;

/**
 * Per-row sampling parameters for {@link Backend#sample}: row {@code i} of the logits uses
 * {@code temperature[i]} (0 = greedy), {@code topK[i]} (0 = off), {@code topP[i]} (1 = off) and draws
 * with {@code uniform[i]} in [0, 1), supplied by the engine from the request's seeded generator so a
 * seed reproduces the same tokens on every backend.
 */
public record SamplingRows(float[] temperature, int[] topK, float[] topP, double[] uniform) {

    public SamplingRows {
        int n = temperature.length;
        if (topK.length != n || topP.length != n || uniform.length != n) {
            throw new IllegalArgumentException("sampling arrays must have one entry per row");
        }
    }

    public int size() { return temperature.length; }
}
