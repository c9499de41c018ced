package dev.aegaeon.platform.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.platform.pool.PooledBackendHttpTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The dashboard's data over HTTP, without a browser: the snapshot (a recording) carries every
 * device's timeline and every function, a protected function's flag but never its key; a window
 * out of range is a 400 naming it; the stream's first event is the same document; both need the admin token.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class) // one profile for all pool tests
class DashboardDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "data-test-secret-key";

    @TestHTTPResource("/")
    URI base;

    private HttpResponse<String> get(String path) throws Exception {
        return Traffic.CLIENT.send(Traffic.admin(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSnapshotHasTheTimelineAndTheFunctionsButNoKey() throws Exception {
        Traffic.register(base, "data-locked", 21, KEY);
        try {
            String body = "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":6}";
            HttpResponse<String> r = Traffic.CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());

            HttpResponse<String> snap = get("/admin/dashboard/snapshot?window=300");
            assertEquals(200, snap.statusCode(), snap.body());
            assertFalse(snap.body().contains(KEY), "never the key");
            JsonNode j = JSON.readTree(snap.body());
            assertEquals(2, j.get("devices").size(), "one timeline per pool device");
            boolean demoRan = false;
            for (JsonNode d : j.get("devices")) {
                for (JsonNode b : d.get("compute")) for (JsonNode s : b.get(2)) demoRan |= s.get(1).asText().equals("demo");
            }
            assertTrue(demoRan, "the demo's steps are in the timeline: " + j.get("devices"));
            JsonNode locked = null, demo = null;
            for (JsonNode f : j.get("functions")) {
                if (f.get("name").asText().equals("data-locked")) locked = f;
                if (f.get("name").asText().equals("demo")) demo = f;
            }
            assertTrue(locked != null && locked.get("protected").asBoolean(), "flagged: " + locked);
            assertTrue(demo != null && !demo.get("protected").asBoolean() && demo.get("ttft").size() == 2, "demo: " + demo);
            assertTrue(j.get("pool").get("switchesTotal").asLong() >= 1, "the pool's figures: " + j.get("pool"));

            HttpResponse<String> bad = get("/admin/dashboard/snapshot?window=0");
            assertEquals(400, bad.statusCode());
            assertEquals("window", JSON.readTree(bad.body()).get("error").get("param").asText());
        } finally {
            Traffic.delete(base, "data-locked");
        }
    }

    @Test
    void theStreamSendsServerSentEventsOfTheSameDocumentToTheAdminOnly() throws Exception {
        for (String path : new String[] {"/admin/dashboard/stream", "/admin/dashboard/snapshot"}) {
            HttpResponse<String> anonymous = Traffic.CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), "the data is admin data: " + path);
        }
        HttpResponse<String> page = Traffic.CLIENT.send(HttpRequest.newBuilder(base.resolve("/dashboard/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), "the page itself is public");
        assertTrue(page.body().contains("dashboard.js"), page.body());
        HttpResponse<InputStream> r = Traffic.CLIENT.send(Traffic.admin(base.resolve("/admin/dashboard/stream"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String data = null;
            for (String line; data == null && (line = in.readLine()) != null; ) if (line.startsWith("data:")) data = line.substring(5);
            JsonNode j = JSON.readTree(data);
            assertEquals(2, j.get("devices").size());
            assertTrue(j.has("functions") && j.has("pool") && j.get("version").asLong() >= 0, data);
        }
    }
}
