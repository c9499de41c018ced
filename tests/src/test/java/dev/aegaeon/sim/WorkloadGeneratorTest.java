package dev.aegaeon.sim;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadGeneratorTest {
    private static Trace trace(long seed, double rate, double duration, int models) {
        Map<String, CatalogModel> ms = WorkloadGenerator.replicas(CatalogModel.QWEN2_5_7B, models);
        Map<String, Double> rates = new HashMap<>();
        ms.keySet().forEach(m -> rates.put(m, rate));
        return WorkloadGenerator.poisson(ms, rates, duration, SloTargets.PAPER_DEFAULT, seed);
    }

    @Test
    void lengthsHaveShareGptMeansAndAHeavyTail() {
        Trace t = trace(1, 1.0, 5000, 20);
        double prompt = t.requests().stream().mapToInt(RequestSpec::promptTokens).average().orElseThrow();
        double output = java.util.Arrays.stream(t.outputTokens()).average().orElseThrow();
        assertEquals(161, prompt, 161 * 0.03);
        assertEquals(338, output, 338 * 0.03);
        long longOnes = java.util.Arrays.stream(t.outputTokens()).filter(o -> o > 4 * 338).count();
        assertTrue(longOnes > t.outputTokens().length / 100, "a heavy tail: >1% of outputs above 4x the mean");
    }

    @Test
    void poissonRatePerModel() {
        Trace t = trace(2, 0.1, 10_000, 10);
        assertEquals(0.1 * 10_000 * 10, t.requests().size(), 0.1 * 10_000 * 10 * 0.05);
    }

    @Test
    void seedsReproduceAndDiffer() {
        assertEquals(trace(5, 0.2, 300, 4).requests(), trace(5, 0.2, 300, 4).requests());
        assertNotEquals(trace(5, 0.2, 300, 4).requests(), trace(6, 0.2, 300, 4).requests());
    }

    @Test
    void marketPopularityMatchesTheAlibabaSkew() {
        for (int count : new int[] {60, 100, 1000}) {
            double[] r = WorkloadGenerator.marketRates(count, 1.0);
            int hot = (int) Math.round(count * (1 - 0.941));
            double cold = 0;
            for (int i = hot; i < count; i++) cold += r[i];
            assertEquals(0.0135, cold, 0.0005, "cold share for " + count + " models");
        }
    }

    @Test
    void marketSpansSizesAndPutsLargeModelsOnFourGpus() {
        var m = WorkloadGenerator.market(200, 1);
        assertTrue(m.values().stream().anyMatch(a -> a.params() < 2e9));
        assertTrue(m.values().stream().anyMatch(a -> a.params() > 70e9 && a.tensorParallel() == 4));
    }
}
