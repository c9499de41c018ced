package dev.aegaeon.platform.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;

import dev.aegaeon.worker.timeline.TimelineRecorder;

/**
 * The dashboard at the scale the operator's view must survive: 100 functions time-sliced over 8
 * GPUs for five minutes. The recorder stays bounded, a stream update stays small, and the page
 * (rendering the recording as a replay, served by the JDK's file server) shows all 8 GPUs and
 * keeps only the visible rows of the 100-function table in the DOM. Writes the recording and a
 * screenshot under {@code target/dashboard/}.
 */
class DashboardScaleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a100FunctionsOn8GpusRecordingIsBoundedAndRenders() throws Exception {
        SimulatedPool sim = new SimulatedPool(100, 8, 42);
        TimelineRecorder rec = sim.recorder;
        double now = rec.nowMillis();
        sim.run(now - 299_000, now - 1000);

        long memory = 80L << 30;
        DashboardView.Timeline full = DashboardView.timeline(rec, now - 1000, now - 120_000 - 1000, -1, d -> 60L << 30, memory);
        long version = rec.version();
        sim.run(now - 1000, now);
        DashboardView.Timeline delta = DashboardView.timeline(rec, now, now - 120_000, version, d -> 60L << 30, memory);

        int maxBuckets = 0;
        for (TimelineRecorder.DeviceTimeline d : rec.since(now - 400_000)) {
            maxBuckets = Math.max(maxBuckets, Math.max(d.compute().size(), d.copy().size()));
        }
        assertTrue(maxBuckets <= rec.historyMillis() / rec.bucketMillis() + 1, "a lane keeps at most its ring: " + maxBuckets);

        Map<String, Object> recording = recording(sim, DashboardView.timeline(rec, now, now - 120_000, -1, d -> 60L << 30, memory));
        byte[] recorded = JSON.writeValueAsBytes(recording);
        int deltaBytes = JSON.writeValueAsBytes(delta.json()).length;
        int fullBytes = JSON.writeValueAsBytes(full.json()).length;
        System.out.printf("dashboard scale: 120 s of 8 GPUs = %d KiB, one second's update = %d KiB%n", fullBytes >> 10, deltaBytes >> 10);
        assertTrue(fullBytes < 4 << 20, "two minutes of 8 busy GPUs fit a few MiB: " + fullBytes);
        assertTrue(deltaBytes < 64 << 10, "a second's update is small: " + deltaBytes);
        JsonNode sent = JSON.valueToTree(delta.json()).get("devices");
        for (JsonNode d : sent) {
            for (JsonNode b : d.get("compute")) {
                assertTrue(b.get(0).asLong() * rec.bucketMillis() >= now - 1000 - 30_000, "only what changed is sent again: " + b);
            }
        }

        Path dir = Path.of("target", "dashboard").toAbsolutePath();
        Files.createDirectories(dir);
        Files.write(dir.resolve("recording-100x8.json"), recorded);

        Optional<Path> chromium = HeadlessChromium.binary();
        Assumptions.assumeTrue(chromium.isPresent(),
                "SKIPPED the rendering: no Chromium on this machine (apt-get install -y chromium, or set CHROMIUM)");
        Path site = Files.createTempDirectory("aegaeon-dashboard-site-");
        Path page = Path.of("src", "main", "resources", "META-INF", "resources", "dashboard");
        Files.createDirectories(site.resolve("dashboard"));
        for (String f : List.of("index.html", "dashboard.js", "dashboard.css")) Files.copy(page.resolve(f), site.resolve("dashboard").resolve(f));
        Files.write(site.resolve("dashboard").resolve("recording.json"), recorded);
        HttpServer server = SimpleFileServer.createFileServer(new InetSocketAddress("127.0.0.1", 0), site, SimpleFileServer.OutputLevel.NONE);
        server.start();
        try (HeadlessChromium browser = new HeadlessChromium(chromium.get(), 1400, 1100)) {
            browser.navigate("http://127.0.0.1:" + server.getAddress().getPort() + "/dashboard/?replay=recording.json");
            assertTrue(browser.await("document.body.dataset.updates === '1'", Duration.ofSeconds(30)), "the replay rendered");
            browser.eval("document.getElementById('window').value = '120'; document.getElementById('window').dispatchEvent(new Event('change')); 1");
            browser.screenshot(dir.resolve("dashboard-100x8.png"), true);
            assertEquals(8, browser.eval("document.querySelectorAll('.device').length").asInt(), "a timeline per GPU");
            assertEquals("100 of 100", browser.eval("document.getElementById('fcount').textContent").asText());
            int rows = browser.eval("document.querySelectorAll('#ftable .row').length").asInt();
            assertTrue(rows > 5 && rows < 40, "only the visible rows are in the DOM: " + rows);
            browser.eval("const t = document.getElementById('ftable'); t.scrollTop = t.scrollHeight; t.dispatchEvent(new Event('scroll')); 1");
            String last = browser.eval("[...document.querySelectorAll('#ftable .row')].map(r => r.dataset.name).join(',')").asText();
            assertTrue(!last.isEmpty() && browser.eval("document.getElementById('ftable').scrollTop > 0").asBoolean(), "the table scrolls: " + last);
            int models = browser.eval("new Set([...document.querySelectorAll('.device')].flatMap(d => d.dataset.models.split(','))).size").asInt();
            assertTrue(models > 8, "the timelines show many models: " + models);
        } finally {
            server.stop(0);
        }
    }

    private static Map<String, Object> recording(SimulatedPool sim, DashboardView.Timeline t) {
        Map<String, Object> out = new LinkedHashMap<>(t.json());
        out.put("backend", "simulated pool (100 functions, 8 GPUs)");
        out.put("functions", sim.functions(t.tokens(), DashboardView.RATE_WINDOW_SECONDS));
        Map<String, Object> pool = new LinkedHashMap<>(t.pool());
        pool.put("hostCacheBytes", 420L << 30);
        out.put("pool", pool);
        return out;
    }
}
