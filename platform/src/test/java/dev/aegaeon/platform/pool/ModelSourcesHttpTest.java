package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Model sources through the platform, over real HTTP with the pooled backend: registration refuses
 * a model that cannot load (400 with the reason), and a function named by hub id is downloaded
 * from a local hub double (DOWNLOADING with its bytes, then served), or ends FAILED with the reason
 * when the hub refuses it or its bytes fail the checksum.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
class ModelSourcesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final Path FIXTURE = Path.of("..", "tests", "fixtures", "hf", "llama_gqa_tied");

    @TestHTTPResource("/")
    URI base;

    private static HubDouble hub;
    private static Map<String, byte[]> model;
    private static JsonNode expected;

    @BeforeAll
    static void startHub() throws Exception {
        hub = new HubDouble(PooledBackendHttpTest.PoolProfile.HUB_PORT);
        model = new LinkedHashMap<>();
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors"))
            model.put(f, Files.readAllBytes(FIXTURE.resolve(f)));
        model.put("pytorch_model.bin", new byte[] {1, 2, 3});
        expected = JSON.readTree(FIXTURE.resolve("expected.json").toFile());
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    /** The test profile's admin token (application.properties, %test); harmless on /v1. */
    private static final String ADMIN_AUTH = "Bearer test-admin-token-0123456789";

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "aegaeon.data-dir")
    Path dataDir;

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120)).header("Authorization", ADMIN_AUTH)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode function(String name) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/admin/functions/" + name)).header("Authorization", ADMIN_AUTH).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** Polls until the function leaves DOWNLOADING (downloads run in the background). */
    private JsonNode settled(String name) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode f = function(name);
        while (f.get("state").asText().equals("DOWNLOADING") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            f = function(name);
        }
        return f;
    }

    private String completion(String model) {
        StringBuilder ids = new StringBuilder();
        for (JsonNode id : expected.get("greedy_prompt")) ids.append(ids.isEmpty() ? "" : ",").append(id.asInt());
        return "{\"model\":\"" + model + "\",\"prompt\":[" + ids + "],\"max_tokens\":" + expected.get("max_new_tokens").asInt()
                + ",\"temperature\":0}";
    }

    private void refused(String name, String modelJson, String mentions, @TempDir Path unused) throws Exception {
        HttpResponse<String> r = post("/admin/functions", "{\"name\":\"" + name + "\",\"model\":" + modelJson + "}");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode err = JSON.readTree(r.body()).get("error");
        assertTrue(err.get("message").asText().contains(mentions), r.body());
        assertEquals(404, CLIENT.send(HttpRequest.newBuilder(base.resolve("/admin/functions/" + name)).header("Authorization", ADMIN_AUTH).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "nothing registered for " + name);
    }

    /** A model directory inside the data directory's models/ root. */
    private Path modelDir(Map<String, byte[]> files) throws Exception {
        Files.createDirectories(dataDir.resolve("models"));
        Path dir = Files.createTempDirectory(dataDir.resolve("models"), "bad-model-");
        for (var e : files.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
        return dir;
    }

    @Test
    void registrationRefusesAModelThatCannotLoadAndSaysWhy() throws Exception {
        refused("missing", "{\"path\":\"" + dataDir.resolve("models/nothing-here") + "\"}", "model directory", null);
        refused("shape", "{\"synthetic\":{\"shape\":\"tiny-gpt5\"}}", "unknown synthetic shape 'tiny-gpt5'", null);

        Path malformed = modelDir(Map.of("config.json", "{\"architectures\": [\"LlamaForCausalLM\", secret-content".getBytes(StandardCharsets.UTF_8),
                "model.safetensors", model.get("model.safetensors")));
        refused("malformed", "{\"path\":\"" + malformed + "\"}", "config.json is not valid JSON", null);
        HttpResponse<String> r = post("/admin/functions", "{\"name\":\"malformed\",\"model\":{\"path\":\"" + malformed + "\"}}");
        assertFalse(r.body().contains("secret-content"), "a file's content never appears in the reason: " + r.body());

        String gpt2 = new String(model.get("config.json"), StandardCharsets.UTF_8).replace("LlamaForCausalLM", "GPT2LMHeadModel");
        Path unsupported = modelDir(Map.of("config.json", gpt2.getBytes(StandardCharsets.UTF_8), "model.safetensors", model.get("model.safetensors")));
        refused("unsupported", "{\"path\":\"" + unsupported + "\"}", "GPT2LMHeadModel", null);

        byte[] corrupt = model.get("model.safetensors").clone();
        corrupt[10] = '!'; // inside the JSON header
        Path badWeights = modelDir(Map.of("config.json", model.get("config.json"), "model.safetensors", corrupt));
        refused("corrupt", "{\"path\":\"" + badWeights + "\"}", "model.safetensors", null);
    }

    @Test
    void aHubModelDownloadsThenAnswersWithTheModelsGreedyTokens() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        hub.addHeld("aegaeon-test/tiny-llama", model, release);
        HttpResponse<String> created = post("/admin/functions", "{\"name\":\"from-hub\",\"model\":{\"hub\":\"aegaeon-test/tiny-llama\"}}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode during = function("from-hub");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((during.path("download").path("bytesTotal").asLong() == 0 || during.path("transfers").isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            during = function("from-hub");
        }
        assertEquals("DOWNLOADING", during.get("state").asText(), during.toString());
        long total = model.get("config.json").length + model.get("generation_config.json").length + model.get("model.safetensors").length;
        assertEquals(total, during.get("download").get("bytesTotal").asLong(), during.toString());
        JsonNode transfer = during.get("transfers").get(0);
        assertEquals("download", transfer.get("phase").asText(), during.toString());
        assertEquals(total, transfer.get("bytesTotal").asLong(), during.toString());
        assertTrue(transfer.get("bytesDone").asLong() < total, "held by the hub: " + during);
        HttpResponse<String> early = post("/v1/completions", completion("from-hub"));
        assertEquals(503, early.statusCode(), early.body());

        release.countDown();
        JsonNode after = settled("from-hub");
        assertTrue(List.of("COLD", "WARM", "HOT").contains(after.get("state").asText()), after.toString());
        for (JsonNode t : after.path("transfers")) assertNotEquals("download", t.get("phase").asText(), "a finished download leaves: " + after);
        assertTrue(after.path("lastError").isNull() || after.path("lastError").isMissingNode(), after.toString());
        HttpResponse<String> r = post("/v1/completions", completion("from-hub"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        // greedy decoding of the fixture prompt stops at EOS after exactly the transformers reference's tokens
        assertEquals(expected.get("greedy_ids").size(), j.get("usage").get("completion_tokens").asInt(), r.body());
        assertEquals("stop", j.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void aGatedHubModelWithoutATokenEndsFailedWithTheReason() throws Exception {
        hub.addGated("aegaeon-test/gated", model);
        assertEquals(201, post("/admin/functions", "{\"name\":\"gated\",\"model\":{\"hub\":\"aegaeon-test/gated\"}}").statusCode());
        JsonNode f = settled("gated");
        assertEquals("FAILED", f.get("state").asText(), f.toString());
        assertTrue(f.get("lastError").asText().contains("HF_TOKEN"), f.toString());
        HttpResponse<String> r = post("/v1/completions", completion("gated"));
        assertEquals(503, r.statusCode(), r.body());
    }

    @Test
    void aHubModelWhoseBytesFailTheChecksumEndsFailedAndIsNotServed() throws Exception {
        byte[] bad = model.get("model.safetensors").clone();
        bad[bad.length - 1] ^= 1;
        Map<String, byte[]> served = new LinkedHashMap<>(model);
        served.put("model.safetensors", bad);
        hub.addCorrupt("aegaeon-test/corrupt", model, served);
        assertEquals(201, post("/admin/functions", "{\"name\":\"corrupt-hub\",\"model\":{\"hub\":\"aegaeon-test/corrupt\"}}").statusCode());
        JsonNode f = settled("corrupt-hub");
        assertEquals("FAILED", f.get("state").asText(), f.toString());
        assertTrue(f.get("lastError").asText().contains("checksum"), f.toString());
        assertEquals(503, post("/v1/completions", completion("corrupt-hub")).statusCode());
    }
}
