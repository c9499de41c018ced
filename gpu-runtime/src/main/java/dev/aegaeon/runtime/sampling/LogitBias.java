package dev.aegaeon.runtime.sampling;

import java.util.Map;

/** OpenAI's {@code logit_bias}: adds each bias to its token's logit; ids outside the row are skipped (the front door checks them). */
public final class LogitBias {
    private LogitBias() {}

    public static void apply(float[] row, Map<Integer, Float> bias) {
        for (var e : bias.entrySet()) {
            int id = e.getKey();
            if (id >= 0 && id < row.length) row[id] += e.getValue();
        }
    }
}
