package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The load generator against the real packaged platform ({@code quarkus-run.jar} as a child
 * process) on the pool backend with a tiny synthetic model on the CPU: N = 2 for a few seconds.
 * Every request completes, every token is timed, the JSON and CSV are written.
 */
class LoadgenEndToEndTest {
    private static final String ADMIN_TOKEN = "loadgen-test-admin-token";
    static final Path RUNNER = Path.of(System.getProperty("aegaeon.platform.runner", "../platform/target/quarkus-app/quarkus-run.jar"));

    @TempDir
    static Path work;
    static Process platform;
    static URI base;

    @BeforeAll
    static void startPlatform() throws Exception {
        assertTrue(Files.isRegularFile(RUNNER), "package the platform first: " + RUNNER.toAbsolutePath());
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        base = URI.create("http://127.0.0.1:" + port);
        platform = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Daegaeon.backend=pool", "-Daegaeon.pool.device=cpu", "-Daegaeon.kafka.enabled=false",
                "-Daegaeon.demo.enabled=false", "-Daegaeon.data-dir=" + work.resolve("data"), "-Daegaeon.admin.token=" + ADMIN_TOKEN,
                "-Daegaeon.pool.memory-bytes=268435456", "-Daegaeon.pool.kv-tokens-per-model=256",
                "-jar", RUNNER.toString()).redirectErrorStream(true).redirectOutput(work.resolve("platform.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            assertTrue(platform.isAlive(), "the platform exited:\n" + Files.readString(work.resolve("platform.log")));
            try {
                var r = http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) break;
            } catch (IOException notYet) {
                // not listening yet
            }
            assertTrue(System.nanoTime() < deadline, "platform not ready in 90 s");
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stopPlatform() throws InterruptedException {
        if (platform == null) return;
        platform.descendants().forEach(ProcessHandle::destroyForcibly);
        platform.destroyForcibly();
        platform.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void twoFunctionsForAFewSecondsAllCompleteWithEveryTokenTimed() throws Exception {
        Path out = work.resolve("results");
        // The first trace seed that gives 4 to 8 requests in the window: enough to overlap, quick on 2 cores.
        int seed = 1;
        while (LoadTrace.generate(List.of("fn0", "fn1"), 0.5, 6, 96, seed).size() < 4
                || LoadTrace.generate(List.of("fn0", "fn1"), 0.5, 6, 96, seed).size() > 8) seed++;
        LoadgenOptions o = LoadgenOptions.parse(new String[] {"loadgen", "--url", base.toString(), "--functions", "2", "--seconds", "6",
                "--rate", "0.5", "--seed", String.valueOf(seed), "--shape", "tiny-qwen2", "--max-seq", "96", "--drain", "40", "--pause", "0",
                "--policy-label", "test", "--token-times", "true", "--card", "cpu-test", "--commit", "abc1234", "--out", out.toString()}, 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setProperty("aegaeon.admin.token", ADMIN_TOKEN); // what the registrar presents
        List<PointSummary> points = LoadgenMain.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);

        assertEquals(1, points.size());
        PointSummary s = points.getFirst();
        List<PlannedRequest> trace = LoadTrace.generate(List.of("fn0", "fn1"), 0.5, 6, 96, seed);
        assertTrue(trace.size() >= 2, "the seed gives a trace worth running: " + trace.size());
        assertEquals(trace.size(), s.requests());
        assertEquals(s.requests(), s.ok(), printed);
        assertTrue(s.ttftP50() > 0 && Double.isFinite(s.ttftP99()), printed);
        assertTrue(printed.contains("seed 7 for all"), "the output says the functions share one image: " + printed);

        JsonNode json = CompletionChunk.JSON.readTree(out.resolve("loadgen-test-n2.json").toFile());
        assertEquals("cpu-test", json.get("card").asText());
        assertEquals("abc1234", json.get("commit").asText());
        assertEquals(2, json.get("functions").asInt());
        assertEquals(s.attainment(), json.get("summary").get("attainment").asDouble(), 1e-12);
        assertEquals(trace.size(), json.get("requests").size());
        for (JsonNode r : json.get("requests")) {
            assertEquals(200, r.get("http_status").asInt(), r.toString());
            assertTrue(r.get("ttft_s").asDouble() > 0, r.toString());
            // One chunk per generated token, so every token has its own time.
            assertEquals(r.get("usage_completion_tokens").asInt(), r.get("chunks").asInt(), r.toString());
            assertEquals(r.get("prompt_tokens").asInt(), r.get("usage_prompt_tokens").asInt(), "the prompt went in as exactly its ids");
            if (r.get("chunks").asInt() > 1) assertTrue(r.has("tbt_max_s"), r.toString());
            JsonNode times = r.get("token_times_s");
            assertEquals(r.get("chunks").asInt(), times.size());
            for (int k = 1; k < times.size(); k++) assertTrue(times.get(k).asDouble() >= times.get(k - 1).asDouble(), "tokens in order");
            assertTrue(times.get(0).asDouble() >= r.get("sent_s").asDouble());
        }
        List<String> csv = Files.readAllLines(out.resolve("loadgen-test.csv"));
        assertEquals(ResultWriter.CSV_HEADER, csv.get(0));
        assertEquals(2, csv.size());
        assertTrue(csv.get(1).startsWith("test,2," + trace.size() + "," + trace.size() + ",0,0,"), csv.get(1));
    }
}
