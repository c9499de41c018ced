package dev.aegaeon.runtime.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local server that answers the way the Hugging Face Hub does, for the calls a download makes:
 * the model API's listing ({@code /api/models/{repo}/revision/{rev}} with {@code sha} and
 * {@code siblings}, LFS files with {@code lfs.sha256}), {@code /{repo}/resolve/{rev}/{file}} that
 * redirects LFS files to a CDN on another origin (with {@code X-Linked-Etag}/{@code X-Linked-Size}) and serves
 * small files with their git blob id as ETag, HTTP Range, and 401 for gated repositories without
 * the right token. Faults to inject: cut a file's transfer short ({@link #truncate}), serve other
 * bytes than the listing's checksum ({@link #corrupt}).
 */
public final class FakeHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Repo(Map<String, byte[]> files, String token) {}

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    /** file name -> bytes to send before closing the connection, for that many requests */
    private final Map<String, int[]> truncations = new ConcurrentHashMap<>();
    private final Map<String, byte[]> corrupted = new ConcurrentHashMap<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<String> rangeRequests = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    public final AtomicInteger cdnHits = new AtomicInteger();

    public FakeHub() throws IOException {
        this(0);
    }

    public FakeHub(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code files} as {@code repo}; {@code token} non-null makes it gated (401 without that Bearer token). */
    public void add(String repo, Map<String, byte[]> files, String token) {
        repos.put(repo, new Repo(new LinkedHashMap<>(files), token));
    }

    /** The next {@code times} transfers of {@code file} stop after {@code bytes} bytes (the connection drops). */
    public void truncate(String file, int bytes, int times) {
        truncations.put(file, new int[] {bytes, times});
    }

    /** {@code file}'s transfers send {@code bytes} while the listing keeps the true checksum. */
    public void corrupt(String file, byte[] bytes) {
        corrupted.put(file, bytes);
    }

    static boolean isLfs(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".bin");
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String gitBlobId(byte[] b) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(md.digest(b));
    }

    private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/([^?]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
    private static final Pattern CDN = Pattern.compile("/cdn/([^/]+/[^/]+)/(.+)");

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) authorizations.add(path + " " + auth);
            Matcher m;
            if ((m = LISTING.matcher(path)).matches()) {
                Repo repo = authorized(ex, m.group(1));
                if (repo == null) return;
                listing(ex, repo);
            } else if ((m = RESOLVE.matcher(path)).matches()) {
                Repo repo = authorized(ex, m.group(1));
                if (repo == null) return;
                String name = m.group(3);
                byte[] b = repo.files.get(name);
                if (b == null) {
                    send(ex, 404, "{\"error\":\"Entry not found\"}".getBytes(StandardCharsets.UTF_8));
                } else if (isLfs(name)) {
                    // another origin (localhost, not 127.0.0.1), as the hub's CDN is
                    ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + m.group(1) + "/" + name);
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(b) + "\"");
                    ex.getResponseHeaders().add("X-Linked-Size", Long.toString(b.length));
                    ex.sendResponseHeaders(302, -1);
                } else {
                    ex.getResponseHeaders().add("ETag", "\"" + gitBlobId(b) + "\"");
                    file(ex, name, b);
                }
            } else if ((m = CDN.matcher(path)).matches()) {
                cdnHits.incrementAndGet();
                Repo repo = repos.get(m.group(1));
                byte[] b = repo == null ? null : repo.files.get(m.group(2));
                if (b == null) send(ex, 404, new byte[0]);
                else file(ex, m.group(2), b);
            } else {
                send(ex, 404, new byte[0]);
            }
        } catch (Exception e) {
            // the client sees a dropped connection, as with a real server fault
        }
    }

    private Repo authorized(HttpExchange ex, String name) throws IOException {
        Repo repo = repos.get(name);
        if (repo == null) {
            send(ex, 404, "{\"error\":\"Repository not found\"}".getBytes(StandardCharsets.UTF_8));
            return null;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (repo.token != null && !("Bearer " + repo.token).equals(auth)) {
            send(ex, 401, "{\"error\":\"Access to model is restricted. You must have access to it and be authenticated.\"}"
                    .getBytes(StandardCharsets.UTF_8));
            return null;
        }
        return repo;
    }

    private void listing(HttpExchange ex, Repo repo) throws Exception {
        List<Map<String, Object>> siblings = new ArrayList<>();
        for (var e : repo.files.entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("rfilename", e.getKey());
            s.put("size", e.getValue().length);
            if (isLfs(e.getKey())) {
                s.put("blobId", gitBlobId(("pointer " + e.getKey()).getBytes(StandardCharsets.UTF_8)));
                s.put("lfs", Map.of("sha256", sha256(e.getValue()), "size", e.getValue().length, "pointerSize", 134));
            } else {
                s.put("blobId", gitBlobId(e.getValue()));
            }
            siblings.add(s);
        }
        Map<String, Object> body = Map.of("id", "x", "sha", COMMIT, "siblings", siblings);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, JSON.writeValueAsBytes(body));
    }

    private void file(HttpExchange ex, String name, byte[] full) throws IOException {
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().add("Content-Length", Long.toString(full.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        byte[] b = corrupted.getOrDefault(name, full);
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            rangeRequests.add(name + " " + range);
        }
        int length = b.length - from;
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
            ex.sendResponseHeaders(206, length);
        } else {
            ex.sendResponseHeaders(200, length);
        }
        int[] cut = truncations.get(name);
        OutputStream out = ex.getResponseBody();
        if (cut != null && cut[1] > 0) {
            cut[1]--;
            int n = Math.max(0, Math.min(length, cut[0] - from));
            out.write(b, from, n);
            out.flush();
            // Drop the connection mid-body: the client sees fewer bytes than Content-Length.
            ex.getHttpContext().getServer();
            throw new IOException("truncated on purpose");
        }
        out.write(b, from, length);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
