package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class AdminApiTest {
    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "aegaeon.data-dir")
    Path dataDir;

    @Test
    void createDescribeUpdateListDelete() throws Exception {
        String yaml = """
                name: lifecycle
                model:
                  synthetic: {shape: echo, seed: 3}
                slo: {ttft: 2s, tpot: 50ms}
                limits: {maxOutputTokens: 32}
                """;
        Http.Reply created = Http.postAsync(base, "/admin/functions", yaml, "application/yaml").join();
        assertEquals(201, created.status(), created.body());
        assertEquals("lifecycle", created.json().get("name").asText());
        assertEquals("COLD", created.json().get("state").asText(), "minScale 0: nothing loaded until called");
        assertTrue(Files.exists(dataDir.resolve("functions/lifecycle.json")), "persisted before acknowledged");
        assertEquals(409, Http.post(base, "/admin/functions", Http.spec("lifecycle", "")).status());

        assertEquals(200, Http.post(base, "/v1/completions", "{\"model\":\"lifecycle\",\"prompt\":\"x\"}").status());
        JsonNode d = Http.get(base, "/admin/functions/lifecycle").json();
        assertEquals("HOT", d.get("state").asText(), d.toString());
        assertEquals(1, d.get("switches").asLong());
        assertFalse(d.get("lastSwitch").isNull());
        assertEquals(1, d.get("traffic").get("completed").asLong());
        assertTrue(d.get("sloAttainment").asDouble() > 0.99, "a trivial engine meets a 2 s TTFT: " + d);
        assertEquals("2s", d.get("spec").get("slo").get("ttft").asText());

        HttpRequest put = HttpRequest.newBuilder(base.resolve("/admin/functions/lifecycle")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Http.spec("lifecycle", "\"limits\":{\"maxOutputTokens\":4}"))).build();
        Http.Reply updated = Http.send(put);
        assertEquals(200, updated.status(), updated.body());
        assertEquals(4, updated.json().get("spec").get("limits").get("maxOutputTokens").asInt());
        assertEquals(400, Http.post(base, "/v1/completions", "{\"model\":\"lifecycle\",\"prompt\":\"x\",\"max_tokens\":5}").status(),
                "the new limit applies at once");

        boolean listed = false;
        for (JsonNode f : Http.get(base, "/admin/functions").json()) listed |= f.get("name").asText().equals("lifecycle");
        assertTrue(listed);

        HttpRequest delete = HttpRequest.newBuilder(base.resolve("/admin/functions/lifecycle")).DELETE().build();
        assertEquals(204, Http.send(delete).status());
        assertEquals(404, Http.send(delete).status());
        assertEquals(404, Http.get(base, "/admin/functions/lifecycle").status());
        assertFalse(Files.exists(dataDir.resolve("functions/lifecycle.json")));
        assertEquals(404, Http.post(base, "/v1/completions", "{\"model\":\"lifecycle\",\"prompt\":\"x\"}").status());
    }

    @Test
    void anInvalidSpecIsRefusedNamingTheFieldAndRule() throws Exception {
        Http.Reply r = Http.post(base, "/admin/functions", Http.spec("badslo", "\"slo\":{\"tpot\":\"soon\"}"));
        assertEquals(400, r.status());
        JsonNode e = Http.openAiError(r);
        assertEquals("slo.tpot", e.get("param").asText());
        assertTrue(e.get("message").asText().startsWith("slo.tpot: must be a duration"), e.toString());
        assertEquals(404, Http.get(base, "/admin/functions/badslo").status(), "nothing registered");
    }

    @Test
    void anApiKeyProtectsAFunction() throws Exception {
        Http.ensureFunction(base, "locked", "\"apiKey\":\"open-sesame\"");
        String body = "{\"model\":\"locked\",\"prompt\":\"x\",\"max_tokens\":2}";
        Http.Reply denied = Http.post(base, "/v1/completions", body);
        assertEquals(404, denied.status(), "a locked function answers as an unknown one, so names do not leak");
        assertEquals("model_not_found", Http.openAiError(denied).get("code").asText());
        Http.Reply unknown = Http.post(base, "/v1/completions", body.replace("\"locked\"", "\"lockeX\""));
        assertEquals(unknown.status(), denied.status());
        assertEquals(Http.openAiError(unknown).toString().replace("lockeX", "locked"), Http.openAiError(denied).toString(),
                "the same error object, name aside");
        String metrics = Http.get(base, "/q/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("aegaeon_requests_refused_total{") && l.contains("model_name=\"locked\"")
                && l.contains("reason=\"invalid_api_key\"")), "the operator still sees why");
        HttpRequest withKey = HttpRequest.newBuilder(base.resolve("/v1/completions")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer open-sesame").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertEquals(200, Http.send(withKey).status());
    }
}
