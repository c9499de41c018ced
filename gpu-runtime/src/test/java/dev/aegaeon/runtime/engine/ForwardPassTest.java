package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine's logits against an independent naive forward pass, for every family switch and dtype. */
class ForwardPassTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("llama f32", TestModels.tiny(ModelFamily.LLAMA), DType.F32),
                Arguments.of("mistral bf16", TestModels.tiny(ModelFamily.MISTRAL), DType.BF16),
                Arguments.of("qwen2 biases, tied, f32", TestModels.tiny(ModelFamily.QWEN2), DType.F32),
                Arguments.of("qwen3 q/k norm, head_dim 32, f16", TestModels.tiny(ModelFamily.QWEN3), DType.F16),
                Arguments.of("llama3 rope scaling, MQA, untied, bf16", TestModels.llama3Mqa(), DType.BF16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void promptLogitsMatchTheReference(String name, ModelConfig config, DType dtype) {
        int[] prompt = TestModels.prompt(37, config.vocabSize(), 1); // spans several 16-token blocks
        SyntheticWeights weights = new SyntheticWeights(config, 7, dtype);
        double[][] expected = new ReferenceTransformer(config, weights).logits(prompt);
        try (InferenceEngine engine = TestModels.engine(config, dtype, 16, 64)) {
            float[] actual = engine.promptLogits(prompt);
            assertClose(expected, actual, config.vocabSize(), 1e-4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void greedyDecodeFollowsTheReference(String name, ModelConfig config, DType dtype) {
        int[] prompt = TestModels.prompt(5, config.vocabSize(), 2);
        SyntheticWeights weights = new SyntheticWeights(config, 7, dtype);
        ReferenceTransformer reference = new ReferenceTransformer(config, weights);
        try (InferenceEngine engine = TestModels.engine(config, dtype, 4, 64)) {
            int[] generated = engine.generate(prompt, SamplingParams.greedy(8)).ids();
            // the reference recomputes the whole prefix for each token: the KV cache must not change anything
            int[] context = prompt;
            int[] expected = new int[generated.length];
            for (int i = 0; i < expected.length; i++) {
                double[][] logits = reference.logits(context);
                expected[i] = argmax(logits[logits.length - 1]);
                context = java.util.Arrays.copyOf(context, context.length + 1);
                context[context.length - 1] = expected[i];
            }
            assertArrayEquals(expected, generated);
        }
    }

    static int argmax(double[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    /** max|diff| / max|ref| over every position must stay below {@code tolerance}. */
    static void assertClose(double[][] expected, float[] actual, int vocab, double tolerance) {
        double maxDiff = 0, maxRef = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[t][v] - actual[t * vocab + v]));
                maxRef = Math.max(maxRef, Math.abs(expected[t][v]));
            }
        }
        assertTrue(maxRef > 0, "reference logits are all zero");
        assertTrue(maxDiff / maxRef < tolerance, "max|diff|/max|ref| = " + maxDiff / maxRef + " (max|diff| " + maxDiff + ")");
    }
}
