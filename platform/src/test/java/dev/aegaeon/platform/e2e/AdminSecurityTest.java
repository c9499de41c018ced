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

/** The admin API as an attacker meets it: no token, another origin, odd bodies, paths outside the model roots. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class AdminSecurityTest {
    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "aegaeon.data-dir")
    Path dataDir;

    private HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(base.getScheme() + "://" + base.getRawAuthority() + path)); // "//admin" kept as a path
    }

    @Test
    void everyAdminRouteRefusesACallerWithoutTheToken() throws Exception {
        for (String auth : new String[] {null, "Bearer wrong-token-0123456789", "Bearer ", "Basic dGVzdDp0ZXN0"}) {
            for (String path : new String[] {"/admin/functions", "/admin/functions/demo", "/admin/pool", "//admin/functions", "/admin/./functions"}) {
                HttpRequest.Builder b = admin(path).GET();
                if (auth != null) b.header("Authorization", auth);
                Http.Reply r = Http.sendAsIs(b.build());
                assertEquals(401, r.status(), path + " with " + auth + ": " + r.body());
                assertEquals("invalid_admin_token", Http.openAiError(r).get("code").asText());
            }
        }
        Http.Reply delete = Http.sendAsIs(admin("/admin/functions/demo").header("Authorization", "Bearer nope").DELETE().build());
        assertEquals(401, delete.status());
        Http.Reply strip = Http.sendAsIs(admin("/admin/functions/demo").header("Authorization", "Bearer nope")
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(Http.spec("demo", ""))).build());
        assertEquals(401, strip.status());
        assertEquals(200, Http.get(base, "/admin/functions/demo").status(), "demo is untouched");
    }

    @Test
    void aCrossOriginWriteIsRefusedAndASameOriginOneIsNot() throws Exception {
        Http.Reply cross = Http.send(admin("/admin/functions").header("Origin", "http://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.spec("csrf", ""))).build());
        assertEquals(403, cross.status(), cross.body());
        assertEquals(404, Http.get(base, "/admin/functions/csrf").status(), "nothing registered");
        Http.Reply delete = Http.send(admin("/admin/functions/demo").header("Origin", "null").DELETE().build());
        assertEquals(403, delete.status());

        String self = "http://" + base.getHost() + ":" + base.getPort();
        Http.Reply same = Http.send(admin("/admin/functions").header("Origin", self).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.spec("same-origin", ""))).build());
        assertTrue(same.status() == 201 || same.status() == 409, same.body());
    }

    @Test
    void aWriteMustCarryAJsonOrYamlBody() throws Exception {
        Http.Reply plain = Http.postAsync(base, "/admin/functions", Http.spec("plain", ""), "text/plain").join();
        assertEquals(415, plain.status(), plain.body());
        Http.Reply form = Http.postAsync(base, "/admin/functions", "name=x", "application/x-www-form-urlencoded").join();
        assertEquals(415, form.status(), form.body());
        assertEquals(404, Http.get(base, "/admin/functions/plain").status());

        // Answered at once with 400 (the request's own 30 s timeout would fail the test otherwise).
        Http.Reply empty = Http.send(admin("/admin/functions").header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(400, empty.status(), empty.body());
        Http.Reply emptyPut = Http.send(admin("/admin/functions/demo").header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString("")).build());
        assertEquals(400, emptyPut.status(), emptyPut.body());
    }

    @Test
    void aModelPathOutsideTheRootsIsRefusedWithoutSayingWhetherItExists() throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        Path link = models.resolve("escape");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("/etc"));
        String message = null;
        for (String path : new String[] {"/etc", "/proc/self", "/nonexistent/model", models + "/../..", link.toString(),
                models + "/no-such-model", "../../.."}) {
            Http.Reply r = Http.post(base, "/admin/functions", "{\"name\":\"outside\",\"model\":{\"path\":\"" + path + "\"}}");
            assertEquals(400, r.status(), path + ": " + r.body());
            JsonNode e = Http.openAiError(r);
            assertEquals("model.path", e.get("param").asText());
            if (message == null) message = e.get("message").asText();
            assertEquals(message, e.get("message").asText(), "the same answer for every path");
            assertFalse(message.contains(path), message);
        }
        assertEquals(404, Http.get(base, "/admin/functions/outside").status());

        // A real (tiny) model inside the roots: registration also checks that the model loads.
        Path inside = Files.createDirectories(models.resolve("inside-model"));
        for (String f : new String[] {"config.json", "generation_config.json", "model.safetensors"})
            Files.copy(Path.of("..", "tests", "fixtures", "hf", "llama_gqa_tied", f), inside.resolve(f),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Http.Reply ok = Http.post(base, "/admin/functions", "{\"name\":\"inside\",\"model\":{\"path\":\"" + inside + "\"}}");
        assertTrue(ok.status() == 201 || ok.status() == 409, ok.body());
        Http.Reply moved = Http.send(admin("/admin/functions/inside").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"inside\",\"model\":{\"path\":\"/etc\"}}")).build());
        assertEquals(400, moved.status(), "an update is checked too: " + moved.body());
    }

    @Test
    void aDurationPastTheBoundIsA400NotA500() throws Exception {
        Http.Reply r = Http.post(base, "/admin/functions", Http.spec("forever", "\"scaling\":{\"idleToWarm\":\"PT3000000000000H\",\"idleToCold\":\"PT3000000000000H\"}"));
        assertEquals(400, r.status(), r.body());
        assertEquals("scaling.idleToWarm", Http.openAiError(r).get("param").asText());
    }

    @Test
    void aKeyIsStoredHashedAndAKeyedFunctionIsInvisibleWithoutIt() throws Exception {
        Http.ensureFunction(base, "hidden", "\"apiKey\":\"hidden-key-42\"");
        String stored = Files.readString(dataDir.resolve("functions/hidden.json"));
        assertFalse(stored.contains("hidden-key-42"), stored);
        assertTrue(stored.contains("sha256:"), stored);
        assertFalse(Http.get(base, "/admin/functions/hidden").body().contains("hidden-key-42"));

        assertFalse(Http.get(base, "/v1/models").body().contains("\"hidden\""), "not listed without its key");
        Http.Reply missing = Http.get(base, "/v1/models/no-such-function");
        Http.Reply forbidden = Http.get(base, "/v1/models/hidden");
        assertEquals(404, forbidden.status());
        assertEquals(Http.openAiError(missing).get("code").asText(), Http.openAiError(forbidden).get("code").asText());
        assertEquals(missing.body().replace("no-such-function", "hidden"), forbidden.body(), "the same answer as a missing name");

        HttpRequest.Builder withKey = HttpRequest.newBuilder(base.resolve("/v1/models")).header("Authorization", "Bearer hidden-key-42");
        assertTrue(Http.send(withKey.build()).body().contains("\"hidden\""), "listed for its key");
        HttpRequest one = HttpRequest.newBuilder(base.resolve("/v1/models/hidden")).header("Authorization", "Bearer hidden-key-42").build();
        assertEquals(200, Http.send(one).status());
        HttpRequest call = HttpRequest.newBuilder(base.resolve("/v1/completions")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer hidden-key-42")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"hidden\",\"prompt\":\"x\",\"max_tokens\":2}")).build();
        assertEquals(200, Http.send(call).status(), "the stored digest still admits the key");
    }

    @Test
    void aPromptFarBeyondTheContextIsRefusedBeforeTokenizing() throws Exception {
        // 4096 tokens (the default limit) x 256 characters is the most that could fit; 1.1 M characters cannot.
        String huge = "a".repeat(1_100_000);
        Http.Reply r = Http.post(base, "/v1/completions", "{\"model\":\"demo\",\"prompt\":\"" + huge + "\",\"max_tokens\":1}");
        assertEquals(400, r.status());
        JsonNode e = Http.openAiError(r);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("characters"), e.toString());
    }
}
