package dev.aegaeon.platform.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.platform.pool.PooledBackendHttpTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The dashboard end to end: the platform with the pooled backend (two CPU devices) serves
 * traffic to three functions while headless Chromium opens {@code /dashboard/}; the page, fed by
 * the live stream, must show every function with its tier, the protected one flagged (its key
 * nowhere in the page), and a timeline with steps of more than one model. The screenshot is kept
 * at {@code target/dashboard/dashboard-e2e.png}. Skipped, saying why, where Chromium is absent.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class) // one profile for all pool tests
class DashboardBrowserTest {
    private static final String KEY = "dashboard-secret-key-1";
    private static final List<String> FUNCTIONS = List.of("chat-alpha", "chat-beta", "chat-gamma");

    @TestHTTPResource("/")
    URI base;

    @Test
    void thePageShowsTheFunctionsTheirTiersAndATimelineOfSeveralModels() throws Exception {
        Optional<Path> chromium = HeadlessChromium.binary();
        Assumptions.assumeTrue(chromium.isPresent(),
                "SKIPPED: no Chromium on this machine (apt-get install -y chromium, or set CHROMIUM): the dashboard is not rendered");
        Traffic.register(base, "chat-alpha", 11, null);
        Traffic.register(base, "chat-beta", 12, null);
        Traffic.register(base, "chat-gamma", 13, KEY);
        try (Traffic traffic = new Traffic(base, FUNCTIONS, Map.of("chat-gamma", KEY));
             HeadlessChromium browser = new HeadlessChromium(chromium.get(), 1400, 1000)) {
            // the page takes the admin token from the fragment (never sent to the server) for its data requests
            browser.navigate(base.resolve("/dashboard/").toString() + "#token=" + Traffic.ADMIN_TOKEN);
            boolean live = browser.await("Number(document.body.dataset.updates || 0) >= 3 && "
                    + "[...document.querySelectorAll('.device')].flatMap(d => (d.dataset.models || '').split(',')).filter(m => m.startsWith('chat-'))"
                    + ".filter((m, i, a) => a.indexOf(m) === i).length >= 2", Duration.ofSeconds(90));
            browser.screenshot(Path.of("target", "dashboard", "dashboard-e2e.png"), true);
            assertTrue(live, "the page got no live updates with steps of two models: " + browser.eval("document.body.innerText"));

            JsonNode rows = browser.eval("[...document.querySelectorAll('#ftable .row')].map(r => ({name: r.dataset.name, tier: r.dataset.tier, "
                    + "lock: r.dataset.protected === 'true' && !!r.querySelector('.lock svg')}))");
            Set<String> names = new HashSet<>();
            for (JsonNode r : rows) {
                names.add(r.get("name").asText());
                assertTrue(Set.of("COLD", "WARM", "HOT", "ACTIVE").contains(r.get("tier").asText()), "a tier per function: " + rows);
                assertEquals(r.get("name").asText().equals("chat-gamma"), r.get("lock").asBoolean(), "protection flag: " + r);
            }
            assertTrue(names.containsAll(FUNCTIONS), "every function in the table: " + rows);

            Set<String> ran = new HashSet<>();
            for (JsonNode m : browser.eval("[...document.querySelectorAll('.device')].flatMap(d => (d.dataset.models || '').split(','))")) {
                ran.add(m.asText());
            }
            ran.retainAll(FUNCTIONS);
            assertTrue(ran.size() >= 2, "the timeline shows steps of several models: " + ran);
            assertTrue(browser.eval("document.querySelectorAll('.device canvas').length").asInt() >= 2, "a timeline per device");
            String html = browser.eval("document.documentElement.outerHTML").asText();
            assertFalse(html.contains(KEY), "the page never shows an API key");
            assertFalse(browser.eval("location.href").asText().contains(Traffic.ADMIN_TOKEN), "the token leaves the address bar");
            assertTrue(browser.eval("document.getElementById('pool').textContent").asText().contains("Switches / min"), "the pool's figures");
        } finally {
            for (String f : FUNCTIONS) Traffic.delete(base, f); // the application is shared with the other pool tests
        }
    }
}
