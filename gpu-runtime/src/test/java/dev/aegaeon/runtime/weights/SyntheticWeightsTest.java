package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticWeightsTest {

    @Test
    void sameSeedSameBytesRegardlessOfAccessOrder() {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN2);
        try (var a = new SyntheticWeights(c, 42); var b = new SyntheticWeights(c, 42)) {
            List<String> reversed = new ArrayList<>(b.names());
            Collections.reverse(reversed);
            reversed.forEach(b::tensor);
            for (String n : a.names()) {
                assertEquals(-1, a.tensor(n).data().mismatch(b.tensor(n).data()), n);
            }
        }
    }

    @Test
    void differentSeedsDiffer() {
        ModelConfig c = ModelShapes.tiny(ModelFamily.LLAMA);
        try (var a = new SyntheticWeights(c, 1); var b = new SyntheticWeights(c, 2)) {
            assertNotEquals(-1, a.tensor(WeightNames.EMBED).data().mismatch(b.tensor(WeightNames.EMBED).data()));
        }
    }

    @Test
    void holdsExactlyTheFamilysTensorsWithRightShapes() {
        for (ModelFamily f : ModelFamily.values()) {
            ModelConfig c = ModelShapes.tiny(f);
            try (var w = new SyntheticWeights(c, 7)) {
                RequiredTensors.check(c, w);
                assertEquals(f.qkvBias(), w.has(WeightNames.layer(0, WeightNames.Q_BIAS)), f.name());
                assertEquals(f.qkNorm(), w.has(WeightNames.layer(1, WeightNames.K_NORM)), f.name());
                assertEquals(!c.tieWordEmbeddings(), w.has(WeightNames.LM_HEAD), f.name());
                long params = w.names().stream().mapToLong(n -> w.tensor(n).elementCount()).sum();
                assertEquals(c.parameterCount(), params, f.name());
            }
        }
    }

    @Test
    void valuesHaveTrainedModelScales() {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN2);
        try (var w = new SyntheticWeights(c, 3)) {
            WeightTensor proj = w.tensor(WeightNames.layer(0, WeightNames.GATE_PROJ));
            double sum = 0, sq = 0;
            for (long i = 0; i < proj.elementCount(); i++) {
                double v = proj.getFloat(i);
                sum += v;
                sq += v * v;
            }
            double mean = sum / proj.elementCount();
            double std = Math.sqrt(sq / proj.elementCount() - mean * mean);
            assertEquals(0.02, std, 0.002);
            assertEquals(0, mean, 0.002);
            WeightTensor norm = w.tensor(WeightNames.layer(1, WeightNames.ATTN_NORM));
            for (long i = 0; i < norm.elementCount(); i++) assertEquals(1.0, norm.getFloat(i), 0.1 + 1.0 / 128, "1 +/- 0.1, plus bf16 rounding");
            WeightTensor bias = w.tensor(WeightNames.layer(0, WeightNames.K_BIAS));
            for (long i = 0; i < bias.elementCount(); i++) {
                float v = Math.abs(bias.getFloat(i));
                assertTrue(v >= 0.005 * (1 - 1.0 / 256) && v <= 0.03 * (1 + 1.0 / 256), "bias " + v);
            }
        }
    }

    @Test
    void dtypesAgreeUpToRounding() {
        ModelConfig c = ModelShapes.tiny(ModelFamily.MISTRAL);
        try (var f32 = new SyntheticWeights(c, 5, DType.F32); var bf16 = new SyntheticWeights(c, 5, DType.BF16);
             var f16 = new SyntheticWeights(c, 5, DType.F16)) {
            String n = WeightNames.layer(1, WeightNames.DOWN_PROJ);
            WeightTensor a = f32.tensor(n), b = bf16.tensor(n), h = f16.tensor(n);
            assertEquals(DType.BF16, b.dtype());
            for (long i = 0; i < a.elementCount(); i++) {
                assertEquals(a.getFloat(i), b.getFloat(i), Math.abs(a.getFloat(i)) / 128 + 1e-9);
                assertEquals(a.getFloat(i), h.getFloat(i), Math.abs(a.getFloat(i)) / 1024 + 1e-7);
            }
        }
    }

    @Test
    void tensorLargerThanOneChunkIsDeterministicUnderParallelism() {
        ModelConfig t = ModelShapes.tiny(ModelFamily.LLAMA);
        ModelConfig c = new ModelConfig(t.family(), t.architecture(), 5000, t.hiddenSize(), t.intermediateSize(),
                t.numLayers(), t.numHeads(), t.numKvHeads(), t.headDim(), t.rmsNormEps(), t.ropeTheta(),
                t.ropeScaling(), t.maxPositionEmbeddings(), t.tieWordEmbeddings(), t.eosTokenIds(), t.bosTokenId());
        try (var a = new SyntheticWeights(c, 9); var b = new SyntheticWeights(c, 9)) {
            WeightTensor e = a.tensor(WeightNames.EMBED);
            assertTrue(e.elementCount() > SyntheticWeights.CHUNK);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) threads.add(Thread.startVirtualThread(() -> b.tensor(WeightNames.EMBED)));
            threads.forEach(th -> { try { th.join(); } catch (InterruptedException ex) { throw new RuntimeException(ex); } });
            assertEquals(-1, e.data().mismatch(b.tensor(WeightNames.EMBED).data()));
            assertSame(b.tensor(WeightNames.EMBED), b.tensor(WeightNames.EMBED), "generated once");
        }
    }

    @Test
    void unknownNameIsAWeightFormatException() {
        try (var w = new SyntheticWeights(ModelShapes.tiny(ModelFamily.LLAMA), 1)) {
            var e = assertThrows(WeightFormatException.class, () -> w.tensor("model.layers.9.foo"));
            assertTrue(e.getMessage().contains("model.layers.9.foo") && e.getMessage().contains("synthetic"));
        }
    }

    @Test
    void realShapesHaveTheirParameterCounts() {
        assertEquals(7_615_616_512L, ModelShapes.qwen25_7b().parameterCount());
        assertEquals(494_032_768L, ModelShapes.qwen25_05b().parameterCount());
    }
}
