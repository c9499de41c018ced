package dev.aegaeon.platform.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small JSON-over-HTTP client for the tests (real sockets, no mocks). */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    /** The test profile's admin token ({@code %test.aegaeon.admin.token}). */
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    record Reply(int status, JsonNode json, String body, HttpResponse<String> raw) {}

    /** {@code req} with the admin token when it goes to the admin API and carries no Authorization of its own. */
    static HttpRequest withAdminToken(HttpRequest req) {
        if (!req.uri().getPath().startsWith("/admin") || req.headers().firstValue("Authorization").isPresent()) return req;
        return HttpRequest.newBuilder(req, (name, value) -> true).header("Authorization", "Bearer " + ADMIN_TOKEN).build();
    }

    static Reply post(URI base, String path, String body) throws IOException, InterruptedException {
        return postAsync(base, path, body, "application/json").join();
    }

    static CompletableFuture<Reply> postAsync(URI base, String path, String body, String contentType) {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.sendAsync(withAdminToken(req), HttpResponse.BodyHandlers.ofString()).thenApply(Http::reply);
    }

    static Reply get(URI base, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
        return reply(CLIENT.send(withAdminToken(req), HttpResponse.BodyHandlers.ofString()));
    }

    /** Sends {@code req} exactly as built: no admin token added. */
    static Reply sendAsIs(HttpRequest req) throws IOException, InterruptedException {
        return reply(CLIENT.send(req, HttpResponse.BodyHandlers.ofString()));
    }

    static Reply send(HttpRequest req) throws IOException, InterruptedException {
        return reply(CLIENT.send(withAdminToken(req), HttpResponse.BodyHandlers.ofString()));
    }

    private static Reply reply(HttpResponse<String> r) {
        JsonNode json = null;
        try {
            if (!r.body().isEmpty() && (r.body().startsWith("{") || r.body().startsWith("["))) json = JSON.readTree(r.body());
        } catch (IOException ignored) {
            // not JSON: tests look at body()
        }
        return new Reply(r.statusCode(), json, r.body(), r);
    }

    static String chatBody(String model, String content, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"max_tokens\":" + maxTokens + "}";
    }

    static String spec(String name, String extra) {
        return "{\"name\":\"" + name + "\",\"model\":{\"synthetic\":{\"shape\":\"echo\",\"seed\":1,\"tokenInterval\":\"1ms\"}}"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** Registers a function unless it exists (tests share one application). */
    static void ensureFunction(URI base, String name, String extra) throws IOException, InterruptedException {
        Reply r = post(base, "/admin/functions", spec(name, extra));
        if (r.status() != 201 && r.status() != 409) throw new AssertionError("cannot create " + name + ": " + r.body());
    }

    /** Asserts OpenAI's error shape exactly: one "error" object with message, type, param, code. */
    static JsonNode openAiError(Reply r) {
        if (r.json() == null || r.json().size() != 1 || !r.json().has("error"))
            throw new AssertionError("not an OpenAI error: " + r.body());
        JsonNode e = r.json().get("error");
        for (String f : new String[] {"message", "type", "param", "code"})
            if (!e.has(f)) throw new AssertionError("error lacks '" + f + "': " + r.body());
        if (e.size() != 4) throw new AssertionError("error has extra fields: " + r.body());
        if (!e.get("message").isTextual() || e.get("message").asText().isBlank()) throw new AssertionError("no message: " + r.body());
        return e;
    }
}
