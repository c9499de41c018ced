package dev.aegaeon.sim;

import dev.aegaeon.scheduler.InstanceSpec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Static multiplexing with equally popular models: no architecture is favoured by its name. */
class StaticMuxPlacementTest {
    private static final List<CatalogModel> MIX = List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B);

    private static Set<String> placed(int n) {
        Map<String, CatalogModel> models = WorkloadGenerator.mix(MIX, n);
        Map<String, Double> rates = new HashMap<>();
        Map<String, Long> weights = new HashMap<>();
        models.forEach((m, a) -> {
            rates.put(m, 0.1);
            weights.put(m, a.weightBytes());
        });
        Set<String> placed = new HashSet<>();
        for (InstanceSpec i : Policies.staticMux(rates, weights, 16, 1, GpuKind.H800).instances()) placed.addAll(i.pinnedModels());
        return placed;
    }

    @Test
    void equalRatesPlaceEveryArchitecture() {
        Set<String> archs = new HashSet<>();
        for (String m : placed(48)) archs.add(m.substring(0, m.lastIndexOf('-')));
        assertEquals(Set.of("qwen2.5-7b", "yi-1.5-9b", "llama-2-13b"), archs, "placed architectures at 48 models");
    }

    @Test
    void moreModelsChangeThePlacement() {
        // With ties broken by name the same sixteen Llama-2-13B models were placed for every N >= 48.
        assertNotEquals(placed(48), placed(80));
    }
}
