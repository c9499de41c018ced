package dev.aegaeon.sim;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.scheduler.SloTargets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baselines keep their defining rules on a real trace. */
class BaselinesTest {
    private static final Profiles PROFILES = Profiles.bundled();

    private static Trace trace(int models, double rate, long seed) {
        Map<String, CatalogModel> ms = WorkloadGenerator.mix(List.of(CatalogModel.QWEN2_5_7B, CatalogModel.LLAMA2_13B), models);
        Map<String, Double> rates = new HashMap<>();
        ms.keySet().forEach(m -> rates.put(m, rate));
        return WorkloadGenerator.poisson(ms, rates, 120, SloTargets.PAPER_DEFAULT, seed);
    }

    @Test
    void requestLevelSwitchesOnlyAtRequestBoundaries() {
        Trace t = trace(12, 0.1, 5);
        SchedulerFactory p = Policies.requestLevel(3, 1, GpuKind.H800);
        Map<Integer, Set<Long>> active = new HashMap<>();
        Map<Long, Integer> where = new HashMap<>();
        Map<Integer, String> model = new HashMap<>();
        List<String> violations = new ArrayList<>();
        SchedulerListener ends = new SchedulerListener() {
            @Override
            public void onFinish(long id, RequestState state, double time) {
                Integer i = where.remove(id);
                if (i != null) active.get(i).remove(id);
            }
        };
        Simulation.Result r = Simulation.run(t, new CostModels(PROFILES, GpuKind.H800).forModels(t.models()), p, 10_000, ends, s -> { },
                (e, ds) -> {
                    for (Decision d : ds) {
                        switch (d) {
                            case Decision.LoadModel l -> {
                                if (!active.getOrDefault(l.instance(), Set.of()).isEmpty()) violations.add("load with requests in flight: " + l);
                                model.put(l.instance(), l.model());
                            }
                            case Decision.RunPrefill rp -> {
                                if (!rp.model().equals(model.get(rp.instance()))) violations.add("prefill of an unloaded model: " + rp);
                                for (long id : rp.requests()) {
                                    active.computeIfAbsent(rp.instance(), k -> new HashSet<>()).add(id);
                                    where.put(id, rp.instance());
                                }
                            }
                            case Decision.RunDecodeStep st -> {
                                if (!st.model().equals(model.get(st.instance()))) violations.add("decode of an unloaded model: " + st);
                            }
                            default -> { }
                        }
                    }
                });
        assertEquals(List.of(), violations);
        assertEquals(r.slo().requests(), r.slo().finished());
        assertTrue(r.slo().loads() > 3, "it did switch models: " + r.slo().loads());
    }

    @Test
    void dedicatedAndStaticMuxNeverSwitch() {
        Trace t = trace(6, 0.1, 6);
        List<String> names = new ArrayList<>(t.models().keySet());
        Map<String, Double> rates = new HashMap<>();
        Map<String, Long> weights = new HashMap<>();
        names.forEach(m -> {
            rates.put(m, 0.1);
            weights.put(m, t.models().get(m).weightBytes());
        });
        var cost = new CostModels(PROFILES, GpuKind.H800).forModels(t.models());
        Simulation.Result dedicated = Simulation.run(t, cost, Policies.dedicated(names, Map.of(), 1, 4, GpuKind.H800), 10_000);
        assertEquals(4, dedicated.slo().loads(), "one load per dedicated GPU, at start");
        assertTrue(dedicated.slo().finished() < dedicated.slo().requests(), "two of six models have no GPU: their requests are rejected");
        Simulation.Result mux = Simulation.run(t, cost, Policies.staticMux(rates, weights, 3, 1, GpuKind.H800), 10_000);
        assertEquals(countPlaced(rates, weights), mux.slo().loads(), "each placed model loaded once, never again");
    }

    private static long countPlaced(Map<String, Double> rates, Map<String, Long> weights) {
        var p = Policies.staticMux(rates, weights, 3, 1, GpuKind.H800);
        return p.instances().stream().mapToLong(i -> i.pinnedModels().size()).sum();
    }
}
