package dev.aegaeon.platform.pool;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Hugging Face Hub double for the platform's tests: the model API listing (sha, siblings with
 * lfs.sha256), resolve URLs that redirect weights to a CDN path, 401 for gated repositories, and
 * two faults: bytes that differ from the listed checksum, and a transfer held until released (so a
 * test can see the function while it downloads).
 */
final class HubDouble implements AutoCloseable {
    static final String COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/([^?]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
    private static final Pattern CDN = Pattern.compile("/cdn/([^/]+/[^/]+)/(.+)");

    private record Repo(Map<String, byte[]> files, boolean gated, Map<String, byte[]> served, CountDownLatch hold) {}

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();

    HubDouble(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    void add(String repo, Map<String, byte[]> files) {
        repos.put(repo, new Repo(files, false, files, null));
    }

    void addGated(String repo, Map<String, byte[]> files) {
        repos.put(repo, new Repo(files, true, files, null));
    }

    /** Lists {@code files}' checksums but serves {@code served}. */
    void addCorrupt(String repo, Map<String, byte[]> files, Map<String, byte[]> served) {
        repos.put(repo, new Repo(files, false, served, null));
    }

    /** Weights transfers of {@code repo} wait for the latch. */
    void addHeld(String repo, Map<String, byte[]> files, CountDownLatch hold) {
        repos.put(repo, new Repo(files, false, files, hold));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Matcher m;
            if ((m = LISTING.matcher(path)).matches() || (m = RESOLVE.matcher(path)).matches()) {
                Repo repo = repos.get(m.group(1));
                if (repo == null) {
                    send(ex, 404, "{\"error\":\"Repository not found\"}");
                    return;
                }
                if (repo.gated && ex.getRequestHeaders().getFirst("Authorization") == null) {
                    send(ex, 401, "{\"error\":\"Access to model " + m.group(1) + " is restricted.\"}");
                    return;
                }
                if (path.startsWith("/api/")) listing(ex, repo);
                else if (m.group(3).endsWith(".safetensors")) {
                    ex.getResponseHeaders().add("Location", "/cdn/" + m.group(1) + "/" + m.group(3));
                    ex.sendResponseHeaders(302, -1);
                } else body(ex, repo, m.group(3));
            } else if ((m = CDN.matcher(path)).matches()) {
                Repo repo = repos.get(m.group(1));
                if (repo.hold != null && !repo.hold.await(60, TimeUnit.SECONDS)) throw new IOException("never released");
                body(ex, repo, m.group(2));
            } else {
                send(ex, 404, "{}");
            }
        } catch (Exception e) {
            // a dropped connection
        }
    }

    private void listing(HttpExchange ex, Repo repo) throws Exception {
        List<Map<String, Object>> siblings = new ArrayList<>();
        for (var e : repo.files.entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("rfilename", e.getKey());
            s.put("size", e.getValue().length);
            if (e.getKey().endsWith(".safetensors")) s.put("lfs", Map.of("sha256", digest("SHA-256", null, e.getValue()), "size", e.getValue().length));
            else s.put("blobId", digest("SHA-1", "blob " + e.getValue().length + "\0", e.getValue()));
            siblings.add(s);
        }
        byte[] b = JSON.writeValueAsBytes(Map.of("sha", COMMIT, "siblings", siblings));
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static void body(HttpExchange ex, Repo repo, String name) throws IOException {
        byte[] b = repo.served.get(name);
        if (b == null) {
            send(ex, 404, "{}");
            return;
        }
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static String digest(String algorithm, String prefix, byte[] b) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        if (prefix != null) md.update(prefix.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(md.digest(b));
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
