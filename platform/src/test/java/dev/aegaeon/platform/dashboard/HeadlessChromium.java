package dev.aegaeon.platform.dashboard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket from the JDK's own
 * client): navigate, evaluate JavaScript, take a screenshot. Nothing leaves the machine: the
 * browser runs with its background networking, updates and sync off, in a fresh profile.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The browser's binary: $CHROMIUM, else Debian's chromium on the PATH; empty where none is installed. */
    static Optional<Path> binary() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) return Optional.of(Path.of(env)).filter(Files::isExecutable);
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path binary, int width, int height) throws Exception {
        profile = Files.createTempDirectory("aegaeon-chromium-");
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-allow-origins=*", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).start();
        String browserWs = awaitListening();
        int port = URI.create(browserWs).getPort();
        HttpClient http = HttpClient.newHttpClient();
        String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageWs = null;
        for (JsonNode t : JSON.readTree(targets)) if ("page".equals(t.path("type").asText())) pageWs = t.get("webSocketDebuggerUrl").asText();
        if (pageWs == null) throw new IOException("chromium opened no page: " + targets);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener()).get(20, TimeUnit.SECONDS);
    }

    private String awaitListening() throws IOException {
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        if (log.length() < 8000) log.append(line).append('\n');
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                }
            } catch (IOException ignored) {
                // the browser ended; the wait below reports it
            }
            url.completeExceptionally(new IOException("chromium exited before listening"));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return url.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            synchronized (log) {
                throw new IOException("chromium did not start its DevTools endpoint: " + log, e);
            }
        }
    }

    /** Sends one DevTools command and waits for its result. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = f.get(60, TimeUnit.SECONDS);
        if (reply.has("error")) throw new IllegalStateException(method + " failed: " + reply.get("error"));
        return reply.path("result");
    }

    void navigate(String url) throws Exception {
        call("Page.enable", Map.of());
        call("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression (JSON-serialisable), evaluated in the page. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        return r.path("result").path("value");
    }

    /** Polls {@code condition} (a JavaScript boolean expression) until true or the timeout passes. */
    boolean await(String condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (eval("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()").asBoolean()) return true;
            Thread.sleep(200);
        }
        return false;
    }

    /** A PNG of the viewport (the whole page with {@code fullPage}). */
    void screenshot(Path file, boolean fullPage) throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", fullPage));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() throws IOException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
        // Chromium's helper processes outlive the browser for a moment and keep writing the profile
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        helpers.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            for (ProcessHandle h : helpers) h.onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            helpers.forEach(ProcessHandle::destroyForcibly);
        }
        deleteProfile();
    }

    /** Best effort: a file that vanishes or appears while walking never fails the test that used the browser. */
    private void deleteProfile() throws IOException {
        Files.walkFileTree(profile, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                file.toFile().delete();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                dir.toFile().delete();
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    JsonNode n = JSON.readTree(message.toString());
                    CompletableFuture<JsonNode> f = n.has("id") ? pending.remove(n.get("id").asInt()) : null;
                    if (f != null) f.complete(n);
                } catch (IOException e) {
                    // not a DevTools message: ignore
                }
                message.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
