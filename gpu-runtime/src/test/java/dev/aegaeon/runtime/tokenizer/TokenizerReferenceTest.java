package dev.aegaeon.runtime.tokenizer;

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
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Real tokenizers, token-exact against HF: the Qwen3 and Llama 3.1 {@code tokenizer.json} and
 * {@code tokenizer_config.json} (fetched by the build from npm into {@code target/tokenizers}) must
 * encode, decode and render chats exactly as HF {@code tokenizers}/{@code transformers} did for
 * {@code tests/fixtures/tokenizers/<name>/reference.json}: multilingual text, emoji, code, long
 * whitespace runs, special tokens inside text, multi-turn chats with a system prompt, with and
 * without the generation prompt.
 */
class TokenizerReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCES = Path.of("..", "tests", "fixtures", "tokenizers");
    private static final Path FILES = Path.of("target", "tokenizers");

    private static JsonNode reference(String name) throws Exception {
        Path ref = REFERENCES.resolve(name).resolve("reference.json");
        Assumptions.assumeTrue(Files.isRegularFile(ref), "no reference at " + ref.toAbsolutePath());
        Path dir = FILES.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("tokenizer.json")),
                "the build did not fetch the " + name + " tokenizer into " + dir.toAbsolutePath() + " (no network?)");
        return JSON.readTree(ref.toFile());
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static String show(String s) {
        return JSON.valueToTree(s).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3_1"})
    void encodeAndDecodeMatchHf(String name) throws Exception {
        JsonNode ref = reference(name);
        List<Executable> checks = new ArrayList<>();
        try (TextTokenizer t = TextTokenizer.load(FILES.resolve(name))) {
            for (JsonNode c : ref.get("encode")) {
                String text = c.get("text").asText();
                boolean special = c.get("add_special_tokens").asBoolean();
                int[] ids = ints(c.get("ids"));
                int[] got = t.encode(text, special);
                String decoded = t.decode(ids, false);
                String skipped = t.decode(ids, true);
                String what = name + " " + show(text) + " special=" + special;
                checks.add(() -> assertArrayEquals(ids, got, "encode " + what));
                checks.add(() -> assertEquals(c.get("decoded").asText(), decoded, "decode " + what));
                checks.add(() -> assertEquals(c.get("decoded_skip_special").asText(), skipped, "decode skipping specials " + what));
            }
        }
        assertFalse(checks.isEmpty());
        assertAll(checks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3_1"})
    void chatTemplatesRenderAndEncodeAsTransformersDoes(String name) throws Exception {
        JsonNode ref = reference(name);
        Path dir = FILES.resolve(name);
        ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
        List<Executable> checks = new ArrayList<>();
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            for (JsonNode c : ref.get("chat")) {
                List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
                boolean generation = c.get("add_generation_prompt").asBoolean();
                String expected = c.get("rendered").asText();
                String what = name + " " + c.get("messages") + " add_generation_prompt=" + generation;
                String rendered;
                try {
                    rendered = template.renderRaw(messages, generation, Map.of());
                } catch (RuntimeException e) {
                    checks.add(() -> { throw new AssertionError("render " + what + ": " + e, e); });
                    continue;
                }
                int[] ids = t.encode(rendered, false);
                checks.add(() -> assertEquals(expected, rendered, "render " + what));
                checks.add(() -> assertArrayEquals(ints(c.get("ids")), ids, "ids of the rendered " + what));
            }
        }
        assertFalse(checks.isEmpty());
        assertAll(checks);
    }
}
