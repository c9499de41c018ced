package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The platform with the pooled backend, over real HTTP: the embedded {@code demo} function runs a
 * tiny synthetic Llama on the CPU backend through the real scheduler, and its answers are exactly
 * what that model gives run alone with the engine (greedy), streamed or not.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
public class PooledBackendHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String QUESTION = "Hello there, what is the weather?";
    private static final int MAX_TOKENS = 16;
    /** The test profile's admin token (application.properties, %test); harmless on the /v1 calls that share post(). */
    private static final String ADMIN_AUTH = "Bearer test-admin-token-0123456789";

    /**
     * Real models, no Kafka (the HTTP front door is what this test is about), a fresh data directory,
     * and the pool over two simulated CPU devices, disaggregated (prefill on one, decode on the other:
     * the single-device path and more). Every pooled-backend test class must share this one profile:
     * the tokenizer's native library loads into one Quarkus class loader per JVM, and another profile
     * would restart the application in a new one where it cannot load again.
     */
    public static class PoolProfile implements QuarkusTestProfile {
        /** The port the hub double of the hub tests listens on (the platform's aegaeon.hub.endpoint). */
        public static final int HUB_PORT = hubPort();

        /** One port per JVM: Quarkus loads this class in more than one class loader, a system property is shared by all. */
        private static synchronized int hubPort() {
            String p = System.getProperty("aegaeon.test.hub-port");
            if (p == null) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                    p = Integer.toString(s.getLocalPort());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                System.setProperty("aegaeon.test.hub-port", p);
            }
            return Integer.parseInt(p);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path data = Files.createTempDirectory("aegaeon-pool-test-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(data)));
                String dir = data.toString();
                Map<String, String> m = new java.util.HashMap<>(Map.of("aegaeon.backend", "pool", "%test.aegaeon.backend", "pool",
                        "aegaeon.kafka.enabled", "false",
                        "aegaeon.data-dir", dir, "aegaeon.pool.device", "cpu", "aegaeon.pool.echo-shape", "tiny-llama",
                        "aegaeon.pool.kv-tokens-per-model", "1024", "aegaeon.pool.devices", "2", "aegaeon.pool.mode", "disaggregated"));
                m.put("aegaeon.hub.endpoint", "http://127.0.0.1:" + HUB_PORT);
                m.put("aegaeon.hub.cache-dir", dir + "/hub");
                return m;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @TestHTTPResource("/")
    URI base;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "aegaeon.data-dir")
    Path dataDir;

    private static String expectedText;
    private static int expectedTokens;
    private static int[] expectedPromptIds;

    /** The demo model (tiny-llama, seed 42 as PlatformRuntime's demo spec says) run alone on the prompt the template makes. */
    @BeforeAll
    static void runTheModelAlone() throws Exception {
        Path dir = Files.createTempDirectory("aegaeon-tokenizer-");
        SyntheticTokenizer.write(dir);
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        try (AutoCloseable cleanup = () -> deleteTree(dir);
             TextTokenizer tokenizer = TextTokenizer.load(dir);
             CpuBackend backend = new CpuBackend();
             SyntheticWeights weights = new SyntheticWeights(config, 42);
             InferenceEngine engine = new InferenceEngine(config, weights, backend, new EngineOptions(16, 64, null))) {
            ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
            int[] prompt = tokenizer.encode(template.render(List.of(ChatMessage.user(QUESTION)), true), false);
            expectedPromptIds = prompt;
            Generation g = engine.generate(prompt, SamplingParams.greedy(MAX_TOKENS).withStopTokenIds(config.eosTokenIds()));
            expectedText = tokenizer.decode(g.ids(), true);
            expectedTokens = g.ids().length;
        }
    }

    /** Deletes a directory tree, best effort (test temp directories must not pile up in /tmp). */
    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }

    private String chatBody(boolean stream) {
        return "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}],\"max_tokens\":"
                + MAX_TOKENS + ",\"temperature\":0" + (stream ? ",\"stream\":true" : "") + "}";
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120)).header("Authorization", ADMIN_AUTH)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode pool() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/admin/pool")).timeout(Duration.ofSeconds(30))
                .header("Authorization", ADMIN_AUTH).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The value of an unlabelled metric line in the Prometheus scrape, or NaN when absent. */
    private double scraped(String name) throws Exception {
        String body = CLIENT.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
        }
        return Double.NaN;
    }

    @Test
    void poolCountersGrowWithWorkInTheAdminApiAndTheMetrics() throws Exception {
        JsonNode before = pool();
        assertEquals("aegaeon", before.get("policy").asText());
        assertEquals("cpu", before.get("device").asText());
        assertEquals(200, post("/v1/chat/completions", chatBody(false)).statusCode());
        JsonNode after = pool();
        assertTrue(after.get("busySeconds").asDouble() > before.get("busySeconds").asDouble(), after.toString());
        assertTrue(after.get("switches").asLong() >= 1, "the demo model was loaded: " + after);
        assertTrue(after.get("openHostImages").asInt() >= 1, after.toString());
        double busy = scraped("aegaeon_pool_busy_seconds_total");
        assertTrue(busy >= after.get("busySeconds").asDouble(), "scraped busy seconds " + busy + " vs " + after);
        assertTrue(scraped("aegaeon_pool_switches_total") >= after.get("switches").asLong());
        assertTrue(scraped("aegaeon_pool_load_seconds_total") > 0);
        assertTrue(scraped("aegaeon_pool_free_seconds_total") >= after.get("freeSeconds").asDouble(), "exported, in the admin view too: " + after);
        assertTrue(scraped("aegaeon_pool_host_images") >= 1);
        // Memory gauges: the demo's weights (and its KV pool) are on device 0 and in host memory.
        double used = scraped("aegaeon_pool_device_memory_used_bytes{instance=\"0\"}");
        assertTrue(used > 0 && used <= scraped("aegaeon_pool_device_memory_capacity_bytes{instance=\"0\"}"), "device memory " + used);
        double host = scraped("aegaeon_pool_host_memory_used_bytes");
        assertTrue(host > 0 && host <= scraped("aegaeon_pool_host_memory_budget_bytes"), "host memory " + host);
        // The stall counter is exported, and a request served normally is no stall.
        assertEquals(0.0, scraped("aegaeon_pool_stalls_total"));
        assertEquals(0, after.get("stalls").asLong(), after.toString());
    }

    @Test
    void chatCompletionIsTheModelsOwnGreedyOutput() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chatBody(false));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals("demo", j.get("model").asText());
        assertEquals(expectedText, j.get("choices").get(0).get("message").get("content").asText());
        assertEquals(expectedTokens, j.get("usage").get("completion_tokens").asInt());
        assertEquals(expectedTokens == MAX_TOKENS ? "length" : "stop", j.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void streamedChunksConcatenateToTheSameText() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chatBody(true));
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder text = new StringBuilder();
        boolean done = false;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data:")) continue;
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode delta = JSON.readTree(data).get("choices").get(0).path("delta");
            if (delta.hasNonNull("content")) text.append(delta.get("content").asText());
        }
        assertTrue(done, "the stream ends with [DONE]");
        assertEquals(expectedText, text.toString());
    }

    /**
     * A model that cannot load answers 503 with a generic message and an error id: no path, no file
     * content, and the same words whether the directory is missing or exists with a bad file. The
     * details are the operator's, in the admin API (and the log).
     */
    @Test
    void aFunctionWhoseModelCannotLoadIsRefusedAtRegistration() throws Exception {
        // Inside the data directory's models/ root, but no model there: refused with the reason.
        Path ghost = Files.createDirectories(dataDir.resolve("models/aegaeon-ghost-model"));
        String spec = "{\"name\":\"ghost\",\"model\":{\"path\":\"" + ghost + "\"}}";
        HttpResponse<String> created = post("/admin/functions", spec);
        assertEquals(400, created.statusCode(), created.body());
        assertEquals("model.path", JSON.readTree(created.body()).get("error").get("param").asText());
        assertTrue(JSON.readTree(created.body()).get("error").get("message").asText().contains("config.json"), created.body());
        // A config.json that links outside the roots: refused, and its content never shows.
        Path leaky = dataDir.resolve("models").resolve("leaky");
        Files.createDirectories(leaky);
        Files.deleteIfExists(leaky.resolve("config.json"));
        Files.createSymbolicLink(leaky.resolve("config.json"), Path.of("/etc/passwd"));
        HttpResponse<String> refused = post("/admin/functions", "{\"name\":\"leaky\",\"model\":{\"path\":\"" + leaky + "\"}}");
        assertEquals(400, refused.statusCode(), refused.body());
        for (String secret : List.of("root:", "Unrecognized token", "/etc/passwd"))
            assertTrue(!refused.body().contains(secret), "the reason must not show '" + secret + "': " + refused.body());
        assertEquals(404, CLIENT.send(HttpRequest.newBuilder(base.resolve("/admin/functions/ghost")).header("Authorization", ADMIN_AUTH).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "nothing was registered");
        // ...and the demo function is unaffected.
        assertEquals(200, post("/v1/chat/completions", chatBody(false)).statusCode());
    }

    @Test
    void aSecondSyntheticFunctionRunsItsOwnModel() throws Exception {
        String spec = "{\"name\":\"second\",\"model\":{\"synthetic\":{\"shape\":\"tiny-qwen3\",\"seed\":7}}}";
        HttpResponse<String> created = post("/admin/functions", spec);
        assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.body());
        HttpResponse<String> r = post("/v1/chat/completions", chatBody(false).replace("\"demo\"", "\"second\""));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt() >= 1);
        assertTrue(!JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText().equals(expectedText)
                || expectedText.isEmpty(), "another model gives another answer");
    }

    @Test
    void aTokenIdPromptIsFedToTheModelVerbatim() throws Exception {
        // The same ids the chat template makes, sent as OpenAI's token-array prompt, give the same greedy output.
        String ids = java.util.Arrays.toString(expectedPromptIds).replace(" ", "");
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"demo\",\"prompt\":" + ids + ",\"max_tokens\":" + MAX_TOKENS
                + ",\"temperature\":0}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals(expectedPromptIds.length, j.get("usage").get("prompt_tokens").asInt());
        assertEquals(expectedText, j.get("choices").get(0).get("text").asText());
    }

    @Test
    void aTokenIdOutsideTheVocabularyIsA400NamingIt() throws Exception {
        int vocab = ModelShapes.tiny(ModelFamily.LLAMA).vocabSize();
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"demo\",\"prompt\":[1,2," + vocab + "],\"max_tokens\":4}");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals("prompt", error.get("param").asText());
        assertTrue(error.get("message").asText().contains(String.valueOf(vocab)), r.body());
        assertTrue(error.get("message").asText().contains("prompt[2]"), r.body());
    }

    @Test
    void unknownModelIsA404WithOpenAisErrorShape() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chatBody(false).replace("\"demo\"", "\"nope\""));
        assertEquals(404, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("error").has("message"));
    }
}
