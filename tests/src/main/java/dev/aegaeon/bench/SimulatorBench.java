package dev.aegaeon.bench;

import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.CostModels;
import dev.aegaeon.sim.GpuKind;
import dev.aegaeon.sim.Policies;
import dev.aegaeon.sim.Profiles;
import dev.aegaeon.sim.Simulation;
import dev.aegaeon.sim.Trace;
import dev.aegaeon.sim.WorkloadGenerator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Simulator throughput: {@code models} models of the 7B-13B mix with market popularity (total
 * 0.02 req/s per model) on an H800 pool sized at one GPU per 10 models, for one simulated hour.
 * Prints wall time and events per second (target: 1,000 models, one hour, under 60 s).
 */
final class SimulatorBench {
    private SimulatorBench() {}

    static String run(int models, double duration) {
        Map<String, CatalogModel> ms = WorkloadGenerator.mix(List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B), models);
        double[] pop = WorkloadGenerator.marketRates(models, 0.02 * models);
        Map<String, Double> rates = new HashMap<>();
        int i = 0;
        for (String m : ms.keySet()) rates.put(m, pop[i++]);
        long t0 = System.nanoTime();
        Trace trace = WorkloadGenerator.poisson(new LinkedHashMap<>(ms), rates, duration, SloTargets.PAPER_DEFAULT, 11);
        var cost = new CostModels(Profiles.bundled(), GpuKind.H800).forModels(ms);
        int gpus = Math.max(2, models / 10);
        Simulation.Result r = Simulation.run(trace, cost, Policies.aegaeon(gpus, GpuKind.H800, SchedulerConfig.defaults()), 300);
        double wall = (System.nanoTime() - t0) / 1e9;
        return String.format("bench-sim: %d models, %.0f simulated s, %d requests, %d GPUs: %d events in %.1f s wall (%.0f events/s); "
                + "attainment %.3f (target: under 60 s)", models, duration, trace.requests().size(), gpus, r.events(), wall, r.events() / wall,
                r.slo().attainment());
    }
}
