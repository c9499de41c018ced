package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where the request-level baseline loads a model no instance serves now: on an idle instance that
 * already holds it, else an empty one, else the least recently used one (ServerlessLLM's order),
 * so a baseline with a GPU per model loads each model once.
 */
class RequestLevelPlacementTest {
    private static final long GB = 1_000_000_000L;

    private static MiniSim sim(int gpus, List<ModelSpec> models) {
        FixedCost cost = new FixedCost(0.05, 0.02, 0.5, 1e-11);
        MiniSim sim = new MiniSim(cost);
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < gpus; i++) inst.add(new InstanceSpec(i, InstanceSpec.Role.COLOCATED, 1, 80 * GB));
        sim.scheduler = new RequestLevelScheduler(sim.clock, models, inst, 256, null);
        return sim;
    }

    private static List<ModelSpec> models(int n) {
        List<ModelSpec> models = new ArrayList<>();
        for (int m = 0; m < n; m++) models.add(new ModelSpec("m" + m, 14 * GB, 1_000_000));
        return models;
    }

    @Test
    void aModelPerGpuIsLoadedOnceEachOnItsOwnGpu() {
        int n = 8;
        MiniSim sim = sim(n, models(n));
        // Three passes over the models, one request at a time: every GPU is idle at each arrival.
        long id = 0;
        for (int pass = 0; pass < 3; pass++) {
            for (int m = 0; m < n; m++, id++) sim.arrive(new RequestSpec(id, "m" + m, 100, 5, id * 10.0, SloTargets.PAPER_DEFAULT), 5);
        }
        sim.run(10_000);
        Map<String, Set<Integer>> where = new HashMap<>();
        int loads = 0;
        for (Decision d : sim.log) {
            if (d instanceof Decision.LoadModel l) {
                loads++;
                where.computeIfAbsent(l.model(), k -> new HashSet<>()).add(l.instance());
            }
        }
        assertEquals(n, loads, "each model loaded once: " + where);
        Set<Integer> used = new HashSet<>();
        where.values().forEach(used::addAll);
        assertEquals(n, used.size(), "one GPU per model: " + where);
        assertEquals(0, sim.log.stream().filter(d -> d instanceof Decision.EvictModel).count(), "nothing evicted");
    }

    @Test
    void aNewModelEvictsTheLeastRecentlyUsedGpu() {
        MiniSim sim = sim(3, models(4));
        // m0..m2 fill the three GPUs; then m0 and m2 are used again, so m1's GPU is the least recently used.
        sim.arrive(new RequestSpec(0, "m0", 100, 5, 0, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(1, "m1", 100, 5, 10, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(2, "m2", 100, 5, 20, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(3, "m0", 100, 5, 30, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(4, "m2", 100, 5, 40, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(5, "m3", 100, 5, 50, SloTargets.PAPER_DEFAULT), 5);
        sim.run(10_000);
        Map<String, Integer> loadedOn = new HashMap<>();
        List<String> evicted = new ArrayList<>();
        for (Decision d : sim.log) {
            if (d instanceof Decision.LoadModel l) loadedOn.put(l.model(), l.instance());
            if (d instanceof Decision.EvictModel e) evicted.add(e.model());
        }
        assertEquals(List.of("m1"), evicted, "only the least recently used model goes");
        assertEquals(loadedOn.get("m1"), loadedOn.get("m3"), "m3 takes m1's GPU");
    }
}
