package dev.aegaeon.bench;

import dev.aegaeon.scheduler.AegaeonScheduler;
import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.CostModels;
import dev.aegaeon.sim.GpuKind;
import dev.aegaeon.sim.Policies;
import dev.aegaeon.sim.Profiles;
import dev.aegaeon.sim.SchedulerFactory;
import dev.aegaeon.sim.Simulation;
import dev.aegaeon.sim.Trace;
import dev.aegaeon.sim.WorkloadGenerator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decision time per step: the wall time of {@code Scheduler.handle} for decode-step completions
 * (the per-step hot path: tokens, quota check, next step), measured while ~100 models are active
 * on 25 H100 decode instances (4 per instance) at 0.5 req/s each, driven by the simulator. Prints
 * the mean number of active model batches, and mean, p50, p99 decision times.
 */
final class SchedulerBench {
    private SchedulerBench() {}

    static String run(int models, int maxSamples) {
        Map<String, CatalogModel> ms = WorkloadGenerator.replicas(CatalogModel.QWEN2_5_7B, models);
        Map<String, Double> rates = new HashMap<>();
        ms.keySet().forEach(m -> rates.put(m, 0.5));
        double duration = 600;
        Trace trace = WorkloadGenerator.poisson(ms, rates, duration, SloTargets.PAPER_DEFAULT, 7);
        int decode = Math.max(1, models / 4), prefill = Math.max(1, models / 8);
        SchedulerFactory inner = Policies.aegaeon(prefill, decode, 1, GpuKind.H100, SchedulerConfig.defaults());
        long[] samples = new long[maxSamples];
        int[] n = {0};
        long[] active = {0, 0};
        SchedulerFactory timed = new SchedulerFactory() {
            public String name() { return "timed"; }
            public List<InstanceSpec> instances() { return inner.instances(); }
            public Scheduler create(Clock clock, CostModel cost, Trace t, SchedulerListener l) {
                Scheduler s = inner.create(clock, cost, t, l);
                return new Scheduler() {
                    public List<Decision> start() { return s.start(); }
                    public RequestState state(long id) { return s.state(id); }
                    public List<Decision> handle(Event e) {
                        long t0 = System.nanoTime();
                        List<Decision> d = s.handle(e);
                        long dt = System.nanoTime() - t0;
                        // Sample only in steady state (after warm-up) and while the steps keep coming.
                        if (e instanceof Event.DecodeStepDone && clock.now() > 120 && n[0] < samples.length) {
                            samples[n[0]++] = dt;
                            if (n[0] % 1000 == 0) {
                                active[0] += ((AegaeonScheduler) s).activeBatches();
                                active[1]++;
                            }
                        }
                        return d;
                    }
                };
            }
        };
        var cost = new CostModels(Profiles.bundled(), GpuKind.H100).forModels(ms);
        long w0 = System.nanoTime();
        Simulation.Result r = Simulation.run(trace, cost, timed, 60);
        double wall = (System.nanoTime() - w0) / 1e9;
        long[] s = java.util.Arrays.copyOf(samples, n[0]);
        java.util.Arrays.sort(s);
        double mean = java.util.Arrays.stream(s).average().orElse(Double.NaN) / 1e3;
        double p99 = s.length == 0 ? Double.NaN : s[(int) Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] / 1e3;
        return String.format("bench-scheduler: %d models at 0.5 req/s each (%d decode + %d prefill H100 instances), %.0f model batches active "
                        + "on average; %d decode-step decisions sampled: mean %.2f us, p50 %.2f us, p99 %.2f us per step (target mean < 20 us); "
                        + "attainment %.3f; wall %.1f s", models, decode, prefill, active[1] == 0 ? 0.0 : (double) active[0] / active[1], s.length,
                mean, s.length == 0 ? Double.NaN : s[s.length / 2] / 1e3, p99, r.slo().attainment(), wall);
    }
}
