package dev.aegaeon.platform.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.platform.pool.PooledBackendHttpTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The Grafana dashboard kept with the Knative manifests queries only metrics the platform
 * exports: every metric name in its PromQL expressions (and its variables' queries) is a series
 * in {@code /q/metrics} of a running platform (the pooled backend, after one invocation, so the
 * per-function meters exist).
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class) // one profile for all pool tests
class GrafanaDashboardMetricsTest {
    static final Path DASHBOARD = Path.of("..", "knative", "grafana", "aegaeon-dashboard.json");
    /** PromQL's functions, aggregations and keywords: identifiers that are not metric names. */
    private static final Set<String> PROMQL_WORDS = Set.of("sum", "avg", "min", "max", "count", "rate", "irate", "increase", "by",
            "without", "on", "ignoring", "group_left", "group_right", "histogram_quantile", "and", "or", "unless", "offset",
            "topk", "bottomk", "label_values", "delta", "deriv", "abs", "clamp_min", "clamp_max", "time", "vector", "scalar", "bool");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @TestHTTPResource("/")
    URI base;

    /** Metric names in a PromQL expression: label matchers, groupings, ranges, strings and Grafana variables removed. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")     // strings
                .replaceAll("\\{[^}]*}", " ")                               // label matchers
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^\\]]*]", " ")                             // ranges
                .replaceAll("\\$\\{?[a-zA-Z_]+}?", " ");                   // Grafana variables
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && s.charAt(next) == ' ') next++;
            boolean call = next < s.length() && s.charAt(next) == '(';
            if (!call && !PROMQL_WORDS.contains(id) && !id.matches("\\d.*") && !id.equals("e")) names.add(id);
        }
        return names;
    }

    @Test
    void theParserFindsMetricNamesOnly() {
        assertEquals(Set.of("aegaeon_ttft_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum(rate(aegaeon_ttft_seconds_bucket{function=~\"$function\"}[$__rate_interval])) by (le, function))"));
        assertEquals(Set.of("a_total", "b_count"), metricNames("rate(a_total[5m]) / on (instance) rate(b_count[5m]) * 60"));
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertTrue(dashboard.path("templating").toString().contains("\"type\":\"datasource\""), "the datasource is a variable");
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                assertEquals("${datasource}", t.path("datasource").path("uid").asText(), "every query uses the datasource variable");
                queried.addAll(metricNames(t.get("expr").asText()));
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            String q = v.path("query").path("query").asText("");
            Matcher lv = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(q);
            if (lv.find()) queried.add(lv.group(1));
        }
        assertTrue(queried.size() >= 10, "the dashboard queries the platform's metrics: " + queried);

        String body = "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}";
        HttpResponse<String> r = Traffic.CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String metrics = Traffic.CLIENT.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exported = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = IDENT.matcher(line);
            if (m.lookingAt()) exported.add(m.group());
        }
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "queried but not exported: " + missing + "\nexported: " + exported);
    }
}
