package dev.aegaeon.runtime.model;

import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import dev.aegaeon.runtime.weights.WeightTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HfModelWriterTest {

    @TempDir Path dir;

    @Test
    void everyFamilyRoundTripsConfigAndTensors() {
        for (ModelFamily f : ModelFamily.values()) {
            ModelConfig c = ModelShapes.tiny(f);
            Path out = dir.resolve(f.name());
            try (var w = new SyntheticWeights(c, 11)) {
                HfModelWriter.write(out, c, w);
                assertEquals(c, ModelConfigLoader.load(out), f.name());
                try (var read = SafetensorsDirectory.open(out)) {
                    assertEquals(w.names(), read.names(), f.name());
                    assertSameTensors(w, read);
                }
            }
        }
    }

    @Test
    void llama31ScalingMqaAndF32RoundTrip() {
        ModelConfig t = ModelShapes.tiny(ModelFamily.LLAMA);
        ModelConfig c = new ModelConfig(ModelFamily.LLAMA, "LlamaForCausalLM", t.vocabSize(), 48, 96, 3, 3, 1, 32,
                1e-5, 500000.0, new RopeScaling.Llama3(8.0, 1.0, 4.0, 64), 4096, false, List.of(7, 9), 3);
        try (var w = new SyntheticWeights(c, 5, DType.F32)) {
            HfModelWriter.write(dir, c, w);
            assertEquals(c, ModelConfigLoader.load(dir));
            try (var read = SafetensorsDirectory.open(dir)) {
                assertSameTensors(w, read);
                assertEquals(DType.F32, read.tensor("model.norm.weight").dtype());
            }
        }
    }

    @Test
    void shardsWithAnIndexWhenOverTheLimit() throws Exception {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN3);
        try (var w = new SyntheticWeights(c, 2)) {
            HfModelWriter.write(dir, c, w, new HfModelWriter.Options(40_000, false));
            assertTrue(Files.exists(dir.resolve(SafetensorsDirectory.INDEX_FILE)));
            assertFalse(Files.exists(dir.resolve(SafetensorsDirectory.SINGLE_FILE)));
            assertFalse(Files.exists(dir.resolve("tokenizer.json")));
            try (var read = SafetensorsDirectory.open(dir)) {
                assertTrue(read.files().size() > 2, "several shards: " + read.files());
                assertTrue(read.files().stream().allMatch(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")));
                assertSameTensors(w, read);
            }
            String index = Files.readString(dir.resolve(SafetensorsDirectory.INDEX_FILE));
            long total = w.names().stream().mapToLong(n -> w.tensor(n).data().byteSize()).sum();
            assertTrue(index.contains("\"total_size\" : " + total), index);
        }
    }

    @Test
    void configJsonUsesHfFieldNames() throws Exception {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN2);
        try (var w = new SyntheticWeights(c, 1)) {
            HfModelWriter.write(dir, c, w);
        }
        var json = JsonFields.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertEquals("Qwen2ForCausalLM", json.get("architectures").get(0).asText());
        assertEquals("qwen2", json.get("model_type").asText());
        assertEquals("bfloat16", json.get("torch_dtype").asText());
        assertEquals(64, json.get("hidden_size").asInt());
        assertEquals(2, json.get("num_key_value_heads").asInt());
        assertTrue(json.get("tie_word_embeddings").asBoolean());
        assertEquals(List.of(SyntheticTokenizer.IM_END_ID, SyntheticTokenizer.END_OF_TEXT_ID),
                List.of(json.get("eos_token_id").get(0).asInt(), json.get("eos_token_id").get(1).asInt()));
        assertTrue(Files.exists(dir.resolve("tokenizer.json")));
        assertTrue(Files.exists(dir.resolve("tokenizer_config.json")));
        assertTrue(Files.exists(dir.resolve("generation_config.json")));
    }

    @Test
    void refusesAVocabTooSmallForTheTokenizer() {
        ModelConfig t = ModelShapes.tiny(ModelFamily.LLAMA);
        ModelConfig c = new ModelConfig(t.family(), t.architecture(), 100, t.hiddenSize(), t.intermediateSize(),
                t.numLayers(), t.numHeads(), t.numKvHeads(), t.headDim(), t.rmsNormEps(), t.ropeTheta(),
                t.ropeScaling(), t.maxPositionEmbeddings(), t.tieWordEmbeddings(), List.of(), null);
        try (var w = new SyntheticWeights(c, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> HfModelWriter.write(dir, c, w));
            assertTrue(e.getMessage().contains("vocab_size 100"), e.getMessage());
        }
    }

    static void assertSameTensors(dev.aegaeon.runtime.weights.WeightSource expected,
                                  dev.aegaeon.runtime.weights.WeightSource actual) {
        for (String n : expected.names()) {
            WeightTensor a = expected.tensor(n), b = actual.tensor(n);
            assertEquals(a.dtype(), b.dtype(), n);
            assertArrayEquals(a.shape(), b.shape(), n);
            assertEquals(-1, a.data().mismatch(b.data()), n);
        }
    }
}
