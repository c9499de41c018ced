package dev.aegaeon.runtime.model;

import java.util.Optional;

/**
 * RoPE settings from config.json in all three spellings: transformers 4.x writes {@code rope_theta}
 * at the top level and scaling in {@code rope_scaling} (key {@code type} or {@code rope_type});
 * transformers 5 writes only {@code rope_parameters} holding {@code rope_theta} and
 * {@code rope_type}. Like transformers 5's conversion, a nested rope_theta wins over the top level
 * and rope_scaling wins over rope_parameters.
 */
final class RopeConfig {
    private RopeConfig() {}

    static final double DEFAULT_THETA = 10_000.0;

    static double theta(JsonFields json) {
        Optional<Double> nested = params(json).flatMap(p -> p.optDouble("rope_theta"));
        double theta = nested.or(() -> json.optDouble("rope_theta")).orElse(DEFAULT_THETA);
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new ModelConfigException(json.file() + ": rope_theta must be positive, got " + theta);
        }
        return theta;
    }

    static RopeScaling scaling(JsonFields json) {
        Optional<JsonFields> params = params(json);
        if (params.isEmpty()) return RopeScaling.NONE;
        JsonFields p = params.get();
        if (p.has("full_attention") || p.has("sliding_attention")) {
            throw new ModelConfigException(p.file() + ": per-layer-type RoPE parameters are not supported");
        }
        String type = p.optString("rope_type").or(() -> p.optString("type")).orElse("default");
        p.optDouble("partial_rotary_factor").ifPresent(f -> {
            if (f != 1.0) throw new ModelConfigException(p.file() + ": partial_rotary_factor " + f + " is not supported");
        });
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "llama3" -> new RopeScaling.Llama3(
                    p.requireDouble("factor"), p.requireDouble("low_freq_factor"),
                    p.requireDouble("high_freq_factor"), p.requireInt("original_max_position_embeddings"));
            default -> throw new ModelConfigException(p.file() + ": rope type \"" + type
                    + "\" is not supported (supported: \"default\", \"llama3\")");
        };
    }

    private static Optional<JsonFields> params(JsonFields json) {
        return json.optObject("rope_scaling").or(() -> json.optObject("rope_parameters"));
    }
}
