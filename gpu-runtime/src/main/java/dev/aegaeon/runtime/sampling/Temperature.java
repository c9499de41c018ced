package dev.aegaeon.runtime.sampling;

/** Divides logits by the temperature (only for sampled rows; temperature 0 means greedy and never gets here). */
public final class Temperature {
    private Temperature() {}

    public static void apply(float[] row, float temperature) {
        if (temperature == 1f) return;
        for (int i = 0; i < row.length; i++) row[i] = row[i] / temperature;
    }
}
