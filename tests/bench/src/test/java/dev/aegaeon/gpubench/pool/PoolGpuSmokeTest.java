package dev.aegaeon.gpubench.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The smoke benchmark's plumbing on the CPU backend with tiny models: every request is accounted for. */
class PoolGpuSmokeTest {

    @Test
    void everySubmittedRequestEndsInTheTableAndEveryFunctionLoaded() throws Exception {
        PoolGpuSmoke.Args a = PoolGpuSmoke.Args.parse(new String[] {"--backend", "cpu", "--shape", "tiny-qwen2", "--functions", "2",
                "--rate", "2", "--seconds", "2", "--drain", "60", "--prompt", "8", "--output", "6", "--memory-gb", "1",
                "--kv-tokens", "256"});
        Result r = PoolGpuSmoke.run(a);
        List<Result.Row> rows = r.rows();
        assertEquals(3, rows.size(), "two functions and the total");
        Result.Row all = rows.getLast();
        assertEquals("all", all.name());
        assertEquals(r.records().size(), all.submitted());
        assertEquals(all.submitted(), all.done() + all.failed() + all.open());
        assertEquals(0, all.failed(), "tiny models within their KV pool never fail");
        assertEquals(all.submitted(), all.done(), "a 60 s drain is ample for tiny models");
        for (Result.Row row : rows.subList(0, 2)) {
            if (row.submitted() > 0) assertTrue(row.switches() >= 1, row.name() + " served requests, so it was loaded");
        }
        assertTrue(all.attainment() >= 0 && all.attainment() <= 1, "attainment is a fraction: " + all.attainment());
        assertEquals("all", json(r).get("rows").get(2).get("function").asText());
    }

    @Test
    void disaggregatedOverTwoSimulatedDevicesReportsHandOffsAndBothDevices() throws Exception {
        PoolGpuSmoke.Args a = PoolGpuSmoke.Args.parse(new String[] {"--backend", "cpu", "--shape", "tiny-qwen2", "--functions", "2",
                "--rate", "2", "--seconds", "2", "--drain", "60", "--prompt", "8", "--output", "6", "--memory-gb", "1",
                "--kv-tokens", "256", "--devices", "2", "--mode", "disaggregated"});
        Result r = PoolGpuSmoke.run(a);
        Result.Row all = r.rows().getLast();
        assertEquals(all.submitted(), all.done(), "every request completed across the two devices");
        long decoded = r.records().stream().filter(x -> x.gaps().size() > 0).count();
        assertEquals(decoded, r.handoffs().count(), "one hand-off per request that decoded");
        assertEquals(2, r.instances().size());
        assertEquals("disaggregated", json(r).get("mode").asText(), r.json());
        assertTrue(json(r).get("deviceBusySeconds").findValuesAsText("role").contains("decode"), r.json());
    }

    @Test
    void badOptionsAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> PoolGpuSmoke.Args.parse(new String[] {"--mode", "split"}));
        assertThrows(IllegalArgumentException.class,
                () -> PoolGpuSmoke.Args.parse(new String[] {"--devices", "1", "--mode", "disaggregated"}));
        assertThrows(IllegalArgumentException.class, () -> PoolGpuSmoke.Args.parse(new String[] {"--functions", "0"}));
        assertThrows(IllegalArgumentException.class, () -> PoolGpuSmoke.Args.parse(new String[] {"--rate", "fast"}));
        assertThrows(IllegalArgumentException.class, () -> PoolGpuSmoke.Args.parse(new String[] {"--nope", "1"}));
        assertThrows(IllegalArgumentException.class, () -> PoolGpuSmoke.Args.parse(new String[] {"--seconds"}));
    }

    @Test
    void percentileIsNearestRank() {
        assertEquals(2.0, Result.pct(List.of(4.0, 1.0, 3.0, 2.0), 50));
        assertEquals(4.0, Result.pct(List.of(4.0, 1.0, 3.0, 2.0), 99));
        assertTrue(Double.isNaN(Result.pct(List.of(), 50)));
    }

    private static com.fasterxml.jackson.databind.JsonNode json(Result r) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.json());
    }
}
