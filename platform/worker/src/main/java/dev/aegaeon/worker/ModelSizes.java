package dev.aegaeon.worker;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.ModelTensors;
import dev.aegaeon.runtime.weights.TensorSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte sizes the pool plans with, in exact arithmetic: a crafted {@code config.json} must not wrap an
 * estimate to a few bytes and so pass a memory check it should fail. An overflow is a refusal
 * ({@link IllegalArgumentException}) or, for sums compared against a limit, {@link Long#MAX_VALUE}.
 */
final class ModelSizes {
    private ModelSizes() {}

    /** K and V of {@code bytesPerElement} each, every layer and KV head: the bytes one token's KV takes on a device. */
    static long kvBytesPerToken(String model, ModelConfig config, int bytesPerElement) {
        try {
            return Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(2L * bytesPerElement, config.numLayers()),
                    config.numKvHeads()), config.headDim());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model " + model + ": its config's KV size per token (layers x KV heads x head dim) overflows");
        }
    }

    /** A synthetic model's weights in bf16. */
    static long syntheticWeightBytes(String model, ModelConfig config) {
        try {
            long total = 0;
            for (TensorSpec t : ModelTensors.of(config)) total = Math.addExact(total, Math.multiplyExact(t.elementCount(), 2L));
            return total;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model " + model + ": its weight size overflows");
        }
    }

    /** {@code base + perToken * tokens}, or {@link Long#MAX_VALUE} where that overflows (it then fits no memory). */
    static long saturatedSum(long base, long perToken, long tokens) {
        try {
            return Math.addExact(base, Math.multiplyExact(perToken, tokens));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The host bytes of these models' weight images, each distinct image ({@link HostImages#keyOf}) counted once. */
    static long hostImageBytes(Iterable<ModelRuntime> models) {
        Map<Object, Long> images = new HashMap<>();
        for (ModelRuntime m : models) images.put(HostImages.keyOf(m.function().source()), m.spec.weightBytes());
        long total = 0;
        for (long bytes : images.values()) total = saturatedSum(total, bytes, 1);
        return total;
    }
}
