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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's run command on a machine as a newcomer has it: the packaged platform with its
 * defaults (pool backend, embedded KRaft broker, demo function), a random HTTP port. Its output
 * holds no warning or error: no restricted-method notices, no DJL GPU probe, no duplicate gauge, no
 * empty-log notice; only the JVM's own acknowledgement of the incubator module. The banner names
 * the port the server really took, and the demo answers there.
 */
class CleanStartTest {
    private static final Pattern BANNER_PORT = Pattern.compile("OpenAI API\\s+http://localhost:(\\d+)/v1");

    @Test
    void theDocumentedCommandStartsCleanAndTheBannerNamesTheRealPort() throws Exception {
        Path runner = Path.of(System.getProperty("aegaeon.platform.runner", "../platform/target/quarkus-app/quarkus-run.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(runner), "needs the packaged platform at " + runner.toAbsolutePath());
        Path work = Files.createTempDirectory("aegaeon-clean-start-");
        Path log = work.resolve("out.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "--add-modules", "jdk.incubator.vector",
                "-Dquarkus.http.port=0", "-Dquarkus.http.host=127.0.0.1", "-Daegaeon.kafka.embedded.port=0",
                "-Daegaeon.data-dir=" + work.resolve("data"), "-jar", runner.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("RUST_FLAVOR"); // as a newcomer's shell has it
        Process p = pb.start();
        try {
            int port = awaitBannerPort(p, log, Duration.ofMinutes(4));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"prompt\":\"hi\",\"max_tokens\":2}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            List<String> noisy = Files.readAllLines(log).stream()
                    .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("restricted method"))
                    .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector"))
                    .toList();
            assertTrue(noisy.isEmpty(), "start-up must be quiet, got:\n" + String.join("\n", noisy));
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static int awaitBannerPort(Process p, Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log);
            Matcher m = BANNER_PORT.matcher(out);
            if (m.find()) {
                int port = Integer.parseInt(m.group(1));
                assertTrue(port != 0 && port != 8080, "the banner must name the port taken, not the configured one: " + port);
                return port;
            }
            if (!p.isAlive()) throw new AssertionError("the platform exited with " + p.exitValue() + ":\n" + out);
            Thread.sleep(250);
        }
        throw new AssertionError("no banner within " + timeout + ":\n" + Files.readString(log));
    }
}
