package dev.aegaeon.e2e.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.kafka.embedded.LocalKafkaBroker;

/**
 * Registrations survive a restart of the real application: a function registered through the
 * admin API is acknowledged, the process is killed with SIGKILL right after (no shutdown hooks),
 * and a new process on the same data directory lists it with the same spec and serves it.
 */
class PlatformRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION_YAML = """
            name: survivor
            model:
              synthetic: {shape: echo, seed: 7}
            slo: {ttft: 5s, tpot: 80ms}
            limits: {maxPromptTokens: 512, maxOutputTokens: 64}
            """;

    private LocalKafkaBroker broker;
    private PlatformNode node;
    private Path workDir;

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) node.close();
        if (broker != null) broker.close();
        if (workDir != null) PlatformNode.deleteRecursively(workDir);
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void acknowledgedRegistrationSurvivesACrashAndServesAfterRestart() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(KafkaPoolFailoverTest.RUNNER),
                "no packaged platform at " + KafkaPoolFailoverTest.RUNNER.toAbsolutePath() + ": run the reactor to the package phase");
        workDir = Files.createTempDirectory("aegaeon-restart-");
        broker = LocalKafkaBroker.startTemporary();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        int port = PlatformNode.freePort();
        node = PlatformNode.start(0, KafkaPoolFailoverTest.RUNNER, workDir, broker.bootstrapServers(), "restart", port);
        node.awaitReady(http, Duration.ofSeconds(120));
        URI base = URI.create("http://127.0.0.1:" + port);
        // The node generated its admin token in its data directory at the first start; the restart reads it back.
        String admin = "Bearer " + Files.readString(workDir.resolve("node-0/admin-token")).strip();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/admin/functions")).header("Authorization", admin)
                .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(FUNCTION_YAML)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        JsonNode before = JSON.readTree(created.body()).get("spec");
        node.crash();

        port = PlatformNode.freePort();
        node = PlatformNode.start(0, KafkaPoolFailoverTest.RUNNER, workDir, broker.bootstrapServers(), "restart", port);
        node.awaitReady(http, Duration.ofSeconds(120));
        base = URI.create("http://127.0.0.1:" + port);
        HttpResponse<String> described = http.send(HttpRequest.newBuilder(base.resolve("/admin/functions/survivor")).header("Authorization", admin).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, described.statusCode(), described.body());
        assertEquals(before, JSON.readTree(described.body()).get("spec"), "the spec must come back unchanged");

        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"survivor\",\"prompt\":\"still here\",\"max_tokens\":5}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals("survivor", body.get("model").asText());
        assertEquals(5, body.get("usage").get("completion_tokens").asInt(), answer.body());
        assertTrue(body.get("choices").get(0).has("text"), answer.body());
    }
}
