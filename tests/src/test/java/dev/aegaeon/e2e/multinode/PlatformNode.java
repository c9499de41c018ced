package dev.aegaeon.e2e.multinode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One platform process (a pool node) started from the packaged Quarkus application, with its own
 * data directory and HTTP port, an external Kafka broker and the trivial engine's demo function.
 * Its output goes to a log file so a failing test can show it. {@link #close()} kills the process
 * tree; it is safe to call twice.
 */
final class PlatformNode implements AutoCloseable {
    private final int index;
    private final Process process;
    private final int httpPort;
    private final Path log;

    private PlatformNode(int index, Process process, int httpPort, Path log) {
        this.index = index;
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    static PlatformNode start(int index, Path runnerJar, Path workDir, String bootstrapServers, String groupId, int httpPort)
            throws IOException {
        return start(index, runnerJar, workDir, bootstrapServers, groupId, httpPort, List.of());
    }

    /** As above, with extra {@code -D} options before {@code -jar}. */
    static PlatformNode start(int index, Path runnerJar, Path workDir, String bootstrapServers, String groupId, int httpPort,
            List<String> extraOptions) throws IOException {
        Path dataDir = Files.createDirectories(workDir.resolve("node-" + index));
        Path log = workDir.resolve("node-" + index + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small, quick-starting JVMs: three of them share a small machine with the broker.
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + bootstrapServers,
                "-Daegaeon.kafka.group-id=" + groupId,
                "-Daegaeon.data-dir=" + dataDir,
                "-Daegaeon.demo.enabled=true",
                // These tests are about Kafka distribution, failover and durability, not about
                // the engine: the trivial engine keeps three JVMs on a 2-core machine fast.
                "-Daegaeon.backend=trivial",
                "-jar", runnerJar.toString()));
        cmd.addAll(cmd.size() - 2, extraOptions);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PlatformNode(index, p, httpPort, log);
    }

    int index() {
        return index;
    }

    int httpPort() {
        return httpPort;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits until {@code /q/health/ready} answers 200; fails early if the process dies. */
    void awaitReady(HttpClient http, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("node " + index + " exited with " + process.exitValue() + ":\n" + logTail());
            try {
                var r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + index + " not ready within " + timeout + ":\n" + logTail());
    }

    /** A crash: SIGKILL, no shutdown hooks, no final offset commit. */
    void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    List<String> logLines(String containing) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains(containing)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port free on the loopback interface right now. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
