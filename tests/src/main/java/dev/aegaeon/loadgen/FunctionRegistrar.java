package dev.aegaeon.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Registers the measured functions through the admin REST API ({@code POST /admin/functions},
 * {@code PUT} when one of that name exists, so a rerun against the same platform converges on the
 * same spec) and waits until each answers {@code GET /admin/functions/NAME}.
 */
final class FunctionRegistrar {
    private final HttpClient http;
    private final URI base;

    FunctionRegistrar(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    /** The function spec: synthetic weights, the run's SLO, minScale 0, limits above anything the trace sends. */
    static String spec(String name, LoadgenOptions o) {
        ObjectNode s = CompletionChunk.JSON.createObjectNode();
        s.put("name", name);
        ObjectNode syn = s.putObject("model").putObject("synthetic");
        syn.put("shape", o.shape());
        syn.put("seed", o.modelSeed());
        ObjectNode slo = s.putObject("slo");
        slo.put("ttft", Math.round(o.ttftSeconds() * 1000) + "ms");
        slo.put("tpot", Math.round(o.tpotSeconds() * 1000) + "ms");
        s.putObject("scaling").put("minScale", 0);
        ObjectNode limits = s.putObject("limits");
        limits.put("maxPromptTokens", o.maxSeq());
        limits.put("maxOutputTokens", o.maxSeq());
        limits.put("maxConcurrent", 512);
        limits.put("maxQueued", 1024);
        return s.toString();
    }

    void register(String name, LoadgenOptions o) throws IOException, InterruptedException {
        String body = spec(name, o);
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/admin/functions")).POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() == 409) {
            r = send(HttpRequest.newBuilder(base.resolve("/admin/functions/" + name)).PUT(HttpRequest.BodyPublishers.ofString(body)));
        }
        if (r.statusCode() / 100 != 2) throw new IOException("registering " + name + " failed: HTTP " + r.statusCode() + " " + r.body());
    }

    void awaitRegistered(String name, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/admin/functions/" + name)).GET());
            if (r.statusCode() == 200) return;
            if (System.nanoTime() > deadline) throw new IOException(name + " not registered after " + timeout + ": HTTP " + r.statusCode());
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        adminToken().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return http.send(b.timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The platform's admin token: {@code -Daegaeon.admin.token}, else {@code AEGAEON_ADMIN_TOKEN}, else the
     * one a local platform generated in {@code ~/.aegaeon/admin-token}.
     */
    static java.util.Optional<String> adminToken() throws IOException {
        String t = System.getProperty("aegaeon.admin.token", System.getenv("AEGAEON_ADMIN_TOKEN"));
        if (t != null && !t.isBlank()) return java.util.Optional.of(t.strip());
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("user.home"), ".aegaeon", "admin-token");
        return java.nio.file.Files.isReadable(file) ? java.util.Optional.of(java.nio.file.Files.readString(file).strip()) : java.util.Optional.empty();
    }
}
