package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.GenerationConfig;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;

/**
 * The trained demo model on the CPU engine, word for word against HF transformers' greedy
 * generate ({@code tests/fixtures/hf/kjv_tiny}): for raw-text prompts and chats, our tokenizer and
 * chat template give transformers' prompt ids, the engine gives its greedy ids, and the decoded
 * text is its text. (Its logits are checked with every other case by {@link HfFixtureParityTest}.)
 */
class DemoModelParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CASE = Path.of("..", "tests", "fixtures", "hf", "kjv_tiny");

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    @Test
    void greedyTextOfPromptsAndChatsIsTransformersText() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(CASE.resolve("expected.json")), "no demo-model fixture at " + CASE.toAbsolutePath());
        JsonNode expected = JSON.readTree(CASE.resolve("expected.json").toFile());
        Path dir = HfFixtureParityTest.modelDir(CASE);
        ModelConfig config = ModelConfigLoader.withGenerationConfig(ModelConfigLoader.load(dir), GenerationConfig.read(dir));
        List<Executable> checks = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(dir);
             InferenceEngine engine = new InferenceEngine(config, SafetensorsDirectory.open(dir), new CpuBackend(2),
                     new EngineOptions(16, 64, null))) {
            ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
            for (JsonNode t : expected.get("texts")) {
                String what = "text prompt " + t.get("prompt_text");
                int[] prompt = tokenizer.encode(t.get("prompt_text").asText(), false);
                checks.add(() -> assertArrayEquals(ints(t.get("prompt_ids")), prompt, what + ": prompt ids"));
                greedy(engine, tokenizer, config, t, what, checks);
            }
            for (JsonNode c : expected.get("chats")) {
                String what = "chat " + c.get("messages");
                List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
                String rendered = template.renderRaw(messages, true, Map.of());
                checks.add(() -> assertEquals(c.get("rendered").asText(), rendered, what + ": rendered"));
                int[] prompt = tokenizer.encode(rendered, false);
                checks.add(() -> assertArrayEquals(ints(c.get("prompt_ids")), prompt, what + ": prompt ids"));
                greedy(engine, tokenizer, config, c, what, checks);
            }
        }
        assertFalse(checks.isEmpty());
        assertAll(checks);
    }

    private static void greedy(InferenceEngine engine, TextTokenizer tokenizer, ModelConfig config, JsonNode c, String what,
            List<Executable> checks) {
        SamplingParams params = SamplingParams.greedy(c.get("max_new_tokens").asInt()).withStopTokenIds(config.eosTokenIds());
        int[] ids = engine.generate(ints(c.get("prompt_ids")), params).ids();
        String text = tokenizer.decode(ids, true);
        checks.add(() -> assertArrayEquals(ints(c.get("greedy_ids")), ids, what + ": greedy ids"));
        checks.add(() -> assertEquals(c.get("greedy_text").asText(), text, what + ": greedy text"));
    }
}
