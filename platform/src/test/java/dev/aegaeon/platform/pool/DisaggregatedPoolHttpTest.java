package dev.aegaeon.platform.pool;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The platform with a disaggregated pool over two simulated CPU devices, through HTTP: the demo
 * model prefills on device 0, its KV is handed to device 1, which decodes; the answer is exactly
 * the model's own greedy output, and /q/metrics counts the hand-off and both devices' busy time.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class) // two CPU devices, disaggregated; one profile for all pool tests
class DisaggregatedPoolHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String QUESTION = "Which device decodes this?";
    private static final int MAX_TOKENS = 12;

    @TestHTTPResource("/")
    URI base;

    /** The demo model (tiny-llama, seed 42) alone: greedy ids of the chat prompt. */
    private static int[] alone(TextTokenizer tokenizer, ChatTemplate template) {
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        try (CpuBackend backend = new CpuBackend();
             SyntheticWeights weights = new SyntheticWeights(config, 42);
             InferenceEngine engine = new InferenceEngine(config, weights, backend, new EngineOptions(16, 64, null))) {
            int[] prompt = tokenizer.encode(template.render(List.of(ChatMessage.user(QUESTION)), true), false);
            Generation g = engine.generate(prompt, SamplingParams.greedy(MAX_TOKENS).withStopTokenIds(config.eosTokenIds()));
            return g.ids();
        }
    }

    @Test
    void anAnswerDecodedOnTheSecondDeviceIsTheModelsOwnAndTheHandOffIsMeasured() throws Exception {
        Path dir = Files.createTempDirectory("aegaeon-tokenizer-");
        SyntheticTokenizer.write(dir);
        String expected;
        int expectedTokens;
        try (AutoCloseable cleanup = () -> PooledBackendHttpTest.deleteTree(dir);
             TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            int[] ids = alone(tokenizer, ChatTemplate.load(dir).orElseThrow());
            expected = tokenizer.decode(ids, true);
            expectedTokens = ids.length;
        }
        assertTrue(expectedTokens > 1, "the answer must decode past its first token, else nothing is handed off");
        String body = "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}],\"max_tokens\":"
                + MAX_TOKENS + ",\"temperature\":0}";
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals(expected, j.get("choices").get(0).get("message").get("content").asText());
        assertEquals(expectedTokens, j.get("usage").get("completion_tokens").asInt());

        String metrics = CLIENT.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(value(metrics, "aegaeon_pool_kv_handoff_seconds_count") >= 1, metrics);
        assertTrue(value(metrics, "aegaeon_pool_kv_handoff_seconds_sum") > 0, metrics);
        assertEquals(value(metrics, "aegaeon_pool_kv_handoff_seconds_count"), value(metrics, "aegaeon_pool_kv_handoff_copy_seconds_count"),
                "each hand-off has its copy time: " + metrics);
        assertTrue(value(metrics, "aegaeon_pool_kv_handoff_copy_seconds_sum") > 0, metrics);
        assertTrue(value(metrics, "aegaeon_pool_device_busy_seconds_total\\{instance=\"0\",role=\"prefill\"\\}") > 0, metrics);
        assertTrue(value(metrics, "aegaeon_pool_device_busy_seconds_total\\{instance=\"1\",role=\"decode\"\\}") > 0, metrics);
    }

    /** The sample value of a Prometheus line whose name (and labels) match {@code series}. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), "no series " + series);
        return Double.parseDouble(m.group(1));
    }
}
