package dev.aegaeon.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A scrape of the Prometheus text format ({@code GET /q/metrics}) reduced to one number per metric
 * name: the sum over its label sets (e.g. switches over all functions). Comments and unparsable
 * lines are skipped; a metric that is absent is simply not in the map, so runs against a platform
 * without the pool metrics still report what exists.
 */
public record PrometheusText(Map<String, Double> sums) {

    public static PrometheusText parse(String text) {
        Map<String, Double> sums = new HashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space;
            String name;
            if (brace >= 0) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                if (close < brace) continue;
                space = close + 1;
            } else {
                space = line.indexOf(' ');
                if (space < 0) continue;
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).strip().split("\\s+");
            if (rest.length == 0 || rest[0].isEmpty()) continue;
            try {
                double v = Double.parseDouble(rest[0]);
                if (!Double.isNaN(v)) sums.merge(name, v, Double::sum);
            } catch (NumberFormatException e) {
                // "+Inf"-like or garbage: not a value we can sum
            }
        }
        return new PrometheusText(Map.copyOf(sums));
    }

    /** Scrapes {@code /q/metrics}; empty when the platform does not answer (metrics are optional to the run). */
    public static PrometheusText scrape(HttpClient http, URI base) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).timeout(Duration.ofSeconds(30))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? parse(r.body()) : new PrometheusText(Map.of());
        } catch (IOException e) {
            return new PrometheusText(Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PrometheusText(Map.of());
        }
    }

    /** The first of {@code names} present (Micrometer adds {@code _total} to counters; older names come last). */
    public Optional<Double> first(String... names) {
        for (String n : names) {
            Double v = sums.get(n);
            if (v != null) return Optional.of(v);
        }
        return Optional.empty();
    }
}
