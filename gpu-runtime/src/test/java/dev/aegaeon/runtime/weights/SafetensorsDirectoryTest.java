package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.HfModelWriter;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.aegaeon.runtime.weights.SafetensorsFixtures.f32;
import static dev.aegaeon.runtime.weights.SafetensorsFixtures.write;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsDirectoryTest {

    @TempDir Path dir;

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";

    @Test
    void singleFile() throws Exception {
        write(dir.resolve("model.safetensors"), ONE, f32(2.5f));
        try (var d = SafetensorsDirectory.open(dir)) {
            assertEquals(2.5f, d.tensor("a").getFloat(0));
            assertEquals(dir.toString(), d.describe());
        }
    }

    @Test
    void shardedViaIndex() throws Exception {
        write(dir.resolve("model-00001-of-00002.safetensors"), ONE, f32(1f));
        write(dir.resolve("model-00002-of-00002.safetensors"),
                "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(2f, 3f));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 12}, "weight_map": {
                  "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (var d = SafetensorsDirectory.open(dir)) {
            assertEquals(java.util.Set.of("a", "b"), d.names());
            assertEquals(1f, d.tensor("a").getFloat(0));
            assertEquals(3f, d.tensor("b").getFloat(1));
            assertEquals(2, d.files().size());
        }
    }

    @Test
    void indexPointingToAMissingShard() throws Exception {
        write(dir.resolve("model-00001-of-00002.safetensors"), ONE, f32(1f));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        assertError("model-00002-of-00002.safetensors", "tensor b", "does not exist", "index.json");
    }

    @Test
    void indexPromisingATensorItsShardLacks() throws Exception {
        write(dir.resolve("s1.safetensors"), ONE, f32(1f));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"zz\": \"s1.safetensors\"}}");
        assertError("tensor zz", "s1.safetensors", "no such tensor");
    }

    @Test
    void shardOutsideTheDirectoryIsRefused() throws Exception {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");
        assertError("../elsewhere.safetensors", "tensor a", "inside the model directory");
    }

    @Test
    void indexNotJsonOrWithoutWeightMap() throws Exception {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
        assertError("index.json", "not valid JSON");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertError("index.json", "weight_map");
    }

    @Test
    void corruptShardNamesTheShard() throws Exception {
        write(dir.resolve("s1.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[9],\"data_offsets\":[0,4]}}", f32(1f));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"s1.safetensors\"}}");
        assertError("s1.safetensors", "tensor a", "needs 36");
    }

    @Test
    void noWeightsAtAll() throws Exception {
        Files.writeString(dir.resolve("pytorch_model.bin"), "x");
        assertError("no model.safetensors", "only safetensors");
        var e = assertThrows(WeightFormatException.class, () -> SafetensorsDirectory.open(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }

    @Test
    void requiredTensorsNamesWhatIsMissingOrMisshapen() throws Exception {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN2);
        try (var w = new SyntheticWeights(c, 1)) {
            HfModelWriter.write(dir, c, w, new HfModelWriter.Options(Long.MAX_VALUE, false));
        }
        try (var d = SafetensorsDirectory.open(dir)) {
            RequiredTensors.check(c, d); // passes as written
            // The same files claimed by a config with another hidden size, or untied embeddings.
            ModelConfig wider = new ModelConfig(c.family(), c.architecture(), c.vocabSize(), 128, c.intermediateSize(),
                    c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(),
                    c.ropeScaling(), c.maxPositionEmbeddings(), false, c.eosTokenIds(), c.bosTokenId());
            var e = assertThrows(WeightFormatException.class, () -> RequiredTensors.check(wider, d));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("missing tensor lm_head.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("tensor model.embed_tokens.weight has shape [512, 64] but the config needs [512, 128]"), e.getMessage());
            assertTrue(e.getMessage().contains("more"), "long lists are cut: " + e.getMessage());
            // A Qwen3 config over Qwen2 files: q_norm/k_norm are missing.
            ModelConfig q3 = new ModelConfig(ModelFamily.QWEN3, "Qwen3ForCausalLM", c.vocabSize(), c.hiddenSize(),
                    c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(),
                    c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(), true, c.eosTokenIds(), c.bosTokenId());
            var e3 = assertThrows(WeightFormatException.class, () -> RequiredTensors.check(q3, d));
            assertTrue(e3.getMessage().contains("missing tensor model.layers.0.self_attn.q_norm.weight"), e3.getMessage());
        }
        // A Qwen2 file set without one bias.
        Path partial = dir.resolve("partial");
        Files.createDirectories(partial);
        try (var w = new SyntheticWeights(c, 1)) {
            var kept = w.names().stream().filter(n -> !n.equals("model.layers.1.self_attn.v_proj.bias"))
                    .map(w::tensor).toList();
            SafetensorsWriter.write(partial.resolve("model.safetensors"), kept, null);
        }
        try (var d = SafetensorsDirectory.open(partial)) {
            var e = assertThrows(WeightFormatException.class, () -> RequiredTensors.check(c, d));
            assertTrue(e.getMessage().contains("missing tensor model.layers.1.self_attn.v_proj.bias"), e.getMessage());
            var absent = assertThrows(WeightFormatException.class, () -> d.tensor("model.layers.1.self_attn.v_proj.bias"));
            assertTrue(absent.getMessage().contains("model.layers.1.self_attn.v_proj.bias"));
        }
    }

    @Test
    void requiredTensorInAnUnreadableDtypeIsReportedWithItsDtype() throws Exception {
        ModelConfig c = ModelShapes.tiny(ModelFamily.LLAMA);
        try (var w = new SyntheticWeights(c, 1)) {
            HfModelWriter.write(dir, c, w, new HfModelWriter.Options(Long.MAX_VALUE, false));
        }
        // Relabel one bf16 tensor as F8_E5M2 with the same byte count: a valid file the runtime cannot use.
        Path file = dir.resolve("model.safetensors");
        byte[] raw = Files.readAllBytes(file);
        int len = (int) java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        var header = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(raw, 8, len, java.nio.charset.StandardCharsets.UTF_8));
        var norm = (com.fasterxml.jackson.databind.node.ObjectNode) header.get("model.norm.weight");
        norm.put("dtype", "F8_E5M2");
        norm.putArray("shape").add(2L * c.hiddenSize());
        byte[] newHeader = header.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(raw, 8 + len, raw.length);
        SafetensorsFixtures.writeRaw(file, newHeader.length, newHeader, data);
        try (var d = SafetensorsDirectory.open(dir)) {
            var e = assertThrows(WeightFormatException.class, () -> RequiredTensors.check(c, d));
            assertTrue(e.getMessage().contains("tensor model.norm.weight is stored as F8_E5M2"), e.getMessage());
        }
    }

    private void assertError(String... fragments) {
        var e = assertThrows(WeightFormatException.class, () -> SafetensorsDirectory.open(dir).close());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "mentions '" + f + "': " + e.getMessage());
    }
}
