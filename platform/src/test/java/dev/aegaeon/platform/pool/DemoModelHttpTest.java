package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.models.BundledModels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The bundled demo model through the platform's OpenAI API: the platform installed it into its
 * data directory at start; a function serving it answers greedy chats and completions with the very
 * text HF transformers' greedy generate gave ({@code tests/fixtures/hf/kjv_tiny}), and a chat that
 * names no {@code max_tokens} gets as many tokens as fit rather than a fixed cap.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
class DemoModelHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final Path CASE = Path.of("..", "tests", "fixtures", "hf", "kjv_tiny");

    @TestHTTPResource("/")
    URI base;

    @Inject
    PlatformRuntime runtime;

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer test-admin-token-0123456789") // the test profile's admin token; harmless on /v1
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode fixture() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(CASE.resolve("expected.json")), "no demo-model fixture at " + CASE.toAbsolutePath());
        return JSON.readTree(CASE.resolve("expected.json").toFile());
    }

    private void registerKjv() throws Exception {
        Path installed = runtime.dataDir().resolve("models").resolve(BundledModels.DEMO);
        assertTrue(Files.isRegularFile(installed.resolve("model.safetensors")), "the platform installed the bundled model at " + installed);
        HttpResponse<String> r = post("/admin/functions", "{\"name\":\"kjv\",\"model\":{\"path\":" + JSON.valueToTree(installed.toString()) + "}}");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 409, r.body());
    }

    @Test
    void greedyChatsAndCompletionsAreTransformersText() throws Exception {
        JsonNode expected = fixture();
        registerKjv();
        List<Executable> checks = new ArrayList<>();
        for (JsonNode c : expected.get("chats")) {
            ObjectNode body = JSON.createObjectNode().put("model", "kjv").put("temperature", 0).put("max_tokens", c.get("max_new_tokens").asInt());
            body.set("messages", c.get("messages"));
            HttpResponse<String> r = post("/v1/chat/completions", body.toString());
            checks.add(() -> assertEquals(200, r.statusCode(), r.body()));
            String text = r.statusCode() == 200 ? JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText() : null;
            checks.add(() -> assertEquals(c.get("greedy_text").asText(), text, "chat " + c.get("messages")));
        }
        for (JsonNode t : expected.get("texts")) {
            ObjectNode body = JSON.createObjectNode().put("model", "kjv").put("temperature", 0).put("max_tokens", t.get("max_new_tokens").asInt())
                    .put("prompt", t.get("prompt_text").asText());
            HttpResponse<String> r = post("/v1/completions", body.toString());
            checks.add(() -> assertEquals(200, r.statusCode(), r.body()));
            String text = r.statusCode() == 200 ? JSON.readTree(r.body()).get("choices").get(0).get("text").asText() : null;
            checks.add(() -> assertEquals(t.get("greedy_text").asText(), text, "completion of " + t.get("prompt_text")));
        }
        assertFalse(checks.isEmpty());
        assertAll(checks);
    }

    @Test
    void aChatWithoutMaxTokensGetsWhatFitsInTheContextNotAFixedCap() throws Exception {
        fixture();
        registerKjv();
        int context = runtime.backend().contextLength("kjv").orElseThrow();
        // A prompt that leaves fewer positions than the function's maxOutputTokens (1024): a fixed
        // default would overflow the context and be refused.
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < Math.max(0, context - 40) / 2; i++) words.append("and ");
        ObjectNode body = JSON.createObjectNode().put("model", "kjv").put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", words.toString());
        HttpResponse<String> r = post("/v1/chat/completions", body.toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode usage = JSON.readTree(r.body()).get("usage");
        assertTrue(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt() <= context, usage.toString());
    }
}
