package dev.aegaeon.sim;

import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.RequestSpec;

import java.util.List;
import java.util.Map;

/**
 * A reproducible workload: requests sorted by arrival with ids 0..n-1, the true output length of
 * each (what the simulated worker generates before end of sequence; {@code maxOutputTokens} in
 * the spec equals it), and the models with their architectures.
 */
public record Trace(List<RequestSpec> requests, int[] outputTokens, Map<String, CatalogModel> models, double durationSeconds) {
    public Trace {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).id() != i) throw new IllegalArgumentException("trace ids must be 0..n-1 in order");
            if (i > 0 && requests.get(i).arrivalSeconds() < requests.get(i - 1).arrivalSeconds()) {
                throw new IllegalArgumentException("trace must be sorted by arrival");
            }
        }
    }

    public List<ModelSpec> modelSpecs() {
        return models.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().spec(e.getKey())).toList();
    }
}
