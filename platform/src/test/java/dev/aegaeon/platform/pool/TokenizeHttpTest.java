package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * vLLM's {@code /tokenize} and {@code /detokenize} over real HTTP on the pooled backend's
 * {@code demo} (the synthetic tokenizer and its chat template): the ids are the tokenizer's own,
 * the defaults are vLLM's, and a function's API key guards them as it guards {@code /v1}.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
class TokenizeHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String TEXT = "Hello there, tokenizer! ünïcödé";

    @TestHTTPResource("/")
    URI base;

    private static int[] textIds, textIdsNoSpecial, chatIds, chatIdsNoGeneration;

    @BeforeAll
    static void expected() throws Exception {
        Path dir = Files.createTempDirectory("aegaeon-tokenizer-");
        SyntheticTokenizer.write(dir);
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
            List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user(TEXT));
            textIds = t.encode(TEXT, true);
            textIdsNoSpecial = t.encode(TEXT, false);
            chatIds = t.encode(template.render(chat, true), false);
            chatIdsNoGeneration = t.encode(template.render(chat, false), false);
        }
    }

    private HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int[] ids(JsonNode tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) out[i] = tokens.get(i).asInt();
        return out;
    }

    private static String json(int[] ids) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) b.append(i == 0 ? "" : ",").append(ids[i]);
        return b.append("]").toString();
    }

    @Test
    void textTokenizesWithVllmsShapeAndDefaults() throws Exception {
        HttpResponse<String> r = post("/tokenize", "{\"model\":\"demo\",\"prompt\":\"" + TEXT + "\"}", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertArrayEquals(textIds, ids(j.get("tokens")), "add_special_tokens defaults to true for text");
        assertEquals(textIds.length, j.get("count").asInt());
        assertEquals(1024, j.get("max_model_len").asInt(), "the pool's KV positions per model bound the context here");
        JsonNode plain = JSON.readTree(post("/tokenize", "{\"model\":\"demo\",\"prompt\":\"" + TEXT + "\",\"add_special_tokens\":false}", null).body());
        assertArrayEquals(textIdsNoSpecial, ids(plain.get("tokens")));
    }

    @Test
    void chatMessagesTokenizeThroughTheTemplate() throws Exception {
        String messages = "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"" + TEXT + "\"}]";
        JsonNode j = JSON.readTree(post("/tokenize", "{\"model\":\"demo\",\"messages\":" + messages + "}", null).body());
        assertArrayEquals(chatIds, ids(j.get("tokens")), "add_generation_prompt defaults to true, add_special_tokens to false");
        JsonNode open = JSON.readTree(post("/tokenize", "{\"model\":\"demo\",\"messages\":" + messages + ",\"add_generation_prompt\":false}", null).body());
        assertArrayEquals(chatIdsNoGeneration, ids(open.get("tokens")));
    }

    @Test
    void detokenizeGivesTheTextBack() throws Exception {
        HttpResponse<String> r = post("/detokenize", "{\"model\":\"demo\",\"tokens\":" + json(textIdsNoSpecial) + "}", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(TEXT, JSON.readTree(r.body()).get("prompt").asText());
    }

    @Test
    void badRequestsUnknownModelsAndMissingKeysGetOpenAiErrors() throws Exception {
        assertEquals(404, post("/tokenize", "{\"model\":\"nobody\",\"prompt\":\"x\"}", null).statusCode());
        HttpResponse<String> both = post("/tokenize", "{\"model\":\"demo\",\"prompt\":\"x\",\"messages\":[]}", null);
        assertEquals(400, both.statusCode(), both.body());
        HttpResponse<String> unknown = post("/tokenize", "{\"model\":\"demo\",\"prompt\":\"x\",\"return_token_strs\":true}", null);
        assertEquals(400, unknown.statusCode());
        assertEquals("return_token_strs", JSON.readTree(unknown.body()).get("error").get("param").asText());
        HttpResponse<String> outside = post("/detokenize", "{\"model\":\"demo\",\"tokens\":[1,99999999]}", null);
        assertEquals(400, outside.statusCode(), outside.body());
        assertEquals("tokens", JSON.readTree(outside.body()).get("error").get("param").asText());

        String spec = "{\"name\":\"keyed\",\"model\":{\"synthetic\":{\"shape\":\"tiny-llama\",\"seed\":42}},\"apiKey\":\"sk-tokenize-test\"}";
        HttpResponse<String> created = post("/admin/functions", spec, "test-admin-token-0123456789");
        assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
        assertEquals(404, post("/tokenize", "{\"model\":\"keyed\",\"prompt\":\"x\"}", null).statusCode());
        assertEquals(404, post("/detokenize", "{\"model\":\"keyed\",\"tokens\":[1]}", "sk-wrong").statusCode());
        assertEquals(200, post("/tokenize", "{\"model\":\"keyed\",\"prompt\":\"x\"}", "sk-tokenize-test").statusCode());
    }
}
