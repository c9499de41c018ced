package dev.aegaeon.bench;

import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.sim.SchedulerFactory;
import dev.aegaeon.sim.Simulation;
import dev.aegaeon.sim.Trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where one simulated run loses its SLO attainment: which objective requests miss (TTFT, mean
 * TPOT), what a request's TTFT is made of (queueing before its prefill starts, the prefill, the
 * hand-off to decode), and per role how busy the instances are, how many model loads and how much
 * KV swapping they do, and how many decode batches share a decode instance. Reads only the
 * simulator's decisions and notifications, so it diagnoses any policy without changing it.
 */
final class E1Diagnosis {
    private E1Diagnosis() {}

    private static final class PerRequest {
        double prefillStart = Double.NaN, firstToken = Double.NaN, firstDecode = Double.NaN, lastToken = Double.NaN;
        int tokens;
    }

    /** Runs the policy on the trace and returns a multi-line report. */
    static String run(Trace trace, CostModel cost, SchedulerFactory policy, double drain) {
        List<InstanceSpec> specs = policy.instances();
        int n = specs.size();
        double[] busy = new double[n], loadSeconds = new double[n];
        long[] loads = new long[n], swapBytes = new long[n], steps = new long[n], batchesSum = new long[n], stepMembers = new long[n];
        Map<String, java.util.Set<Integer>> decodersOfModel = new HashMap<>();
        Clock[] clock = {null};
        Map<Long, PerRequest> reqs = new HashMap<>();
        Map<Long, RequestSpec> spec = new HashMap<>();
        for (RequestSpec r : trace.requests()) {
            spec.put(r.id(), r);
            reqs.put(r.id(), new PerRequest());
        }
        Map<Integer, Map<String, Double>> lastStepOfModel = new HashMap<>();
        SchedulerFactory capturing = new SchedulerFactory() {
            public String name() { return policy.name(); }
            public List<InstanceSpec> instances() { return specs; }
            public Scheduler create(Clock c, CostModel cm, Trace t, SchedulerListener l) {
                clock[0] = c;
                return policy.create(c, cm, t, l);
            }
        };
        SchedulerListener observer = new SchedulerListener() {
            @Override
            public void onToken(long id, int index, double time) {
                PerRequest p = reqs.get(id);
                if (index == 0) p.firstToken = time;
                p.lastToken = time;
                p.tokens++;
            }

            @Override
            public void onFinish(long id, RequestState state, double time) { }

            @Override
            public void onLoad(int instance, String model, long bytes, boolean prefetch, double time) {
                loads[instance]++;
                loadSeconds[instance] += cost.loadSeconds(model, bytes);
            }
        };
        Simulation.Result result = Simulation.run(trace, cost, capturing, drain, observer, s -> { }, (Event e, List<Decision> ds) -> {
            double now = clock[0] == null ? 0 : clock[0].now();
            for (Decision d : ds) {
                switch (d) {
                    case Decision.RunPrefill p -> {
                        long t = 0, t2 = 0;
                        for (long id : p.requests()) {
                            int pt = spec.get(id).promptTokens();
                            t += pt;
                            t2 += (long) pt * pt;
                            reqs.get(id).prefillStart = now;
                        }
                        busy[p.instance()] += cost.prefillSeconds(p.model(), p.requests().size(), t, t2);
                    }
                    case Decision.RunDecodeStep s -> {
                        busy[s.instance()] += cost.decodeStepSeconds(s.model(), s.requests().size(), s.contextTokens());
                        steps[s.instance()]++;
                        stepMembers[s.instance()] += s.requests().size();
                        decodersOfModel.computeIfAbsent(s.model(), k -> new java.util.HashSet<>()).add(s.instance());
                        Map<String, Double> recent = lastStepOfModel.computeIfAbsent(s.instance(), k -> new HashMap<>());
                        recent.put(s.model(), now);
                        recent.values().removeIf(at -> at < now - 2.0);
                        batchesSum[s.instance()] += recent.size();
                        for (long id : s.requests()) {
                            PerRequest pr = reqs.get(id);
                            if (Double.isNaN(pr.firstDecode)) pr.firstDecode = now;
                        }
                    }
                    case Decision.SwapIn s -> swapBytes[s.instance()] += s.bytes();
                    case Decision.SwapOut s -> swapBytes[s.instance()] += s.bytes();
                    default -> { }
                }
            }
        });
        double end = result.endSeconds();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s: %d requests, attainment %.4f, both-SLO share %.4f, TTFT p50 %.2f s p99 %.2f s, end %.0f s%n",
                policy.name(), trace.requests().size(), result.slo().attainment(), result.slo().bothSlosShare(), result.slo().ttftP50(),
                result.slo().ttftP99(), end));
        int ttftMiss = 0, tpotMiss = 0, unfinished = 0, counted = 0;
        double queue = 0, prefill = 0, handoff = 0;
        int handoffs = 0;
        for (RequestSpec r : trace.requests()) {
            PerRequest p = reqs.get(r.id());
            int want = trace.outputTokens()[(int) r.id()];
            counted++;
            if (p.tokens < want) unfinished++;
            if (Double.isNaN(p.firstToken) || p.firstToken - r.arrivalSeconds() > r.slo().ttftSeconds()) ttftMiss++;
            if (p.tokens > 1 && (p.lastToken - p.firstToken) / (p.tokens - 1) > r.slo().tpotSeconds()) tpotMiss++;
            if (!Double.isNaN(p.prefillStart)) {
                queue += p.prefillStart - r.arrivalSeconds();
                if (!Double.isNaN(p.firstToken)) prefill += p.firstToken - p.prefillStart;
            }
            if (!Double.isNaN(p.firstDecode) && !Double.isNaN(p.firstToken)) {
                handoff += p.firstDecode - p.firstToken;
                handoffs++;
            }
        }
        out.append(String.format(Locale.ROOT, "  requests missing TTFT %.3f, missing mean TPOT %.3f, unfinished %.3f%n",
                (double) ttftMiss / counted, (double) tpotMiss / counted, (double) unfinished / counted));
        out.append(String.format(Locale.ROOT, "  mean seconds: queued before prefill %.2f, prefill %.3f, first token to first decode step %.2f%n",
                queue / counted, prefill / counted, handoffs == 0 ? 0 : handoff / handoffs));
        for (InstanceSpec.Role role : InstanceSpec.Role.values()) {
            int k = 0;
            double b = 0, ls = 0;
            long l = 0, sw = 0, st = 0, bs = 0, sm = 0;
            for (int i = 0; i < n; i++) {
                if (specs.get(i).role() != role) continue;
                k++;
                b += busy[i];
                l += loads[i];
                ls += loadSeconds[i];
                sw += swapBytes[i];
                st += steps[i];
                bs += batchesSum[i];
                sm += stepMembers[i];
            }
            if (k == 0) continue;
            out.append(String.format(Locale.ROOT, "  %s x%d: busy %.1f%%, loads %.1f/min per instance (%.1f%% of time loading), KV swapped %.1f GB/min per instance%s%n",
                    role, k, 100 * b / (k * end), l / (k * end / 60), 100 * ls / (k * end), sw / 1e9 / (k * end / 60),
                    st == 0 ? "" : String.format(Locale.ROOT, ", models decoded in the last 2 s (mean per step) %.2f, sequences per step %.2f, steps/s per instance %.1f",
                            (double) bs / st, (double) sm / st, st / (k * end))));
        }
        double spread = decodersOfModel.values().stream().mapToInt(java.util.Set::size).average().orElse(0);
        out.append(String.format(Locale.ROOT, "  instances that decoded a model over the run (mean over models) %.2f%n", spread));
        return out.toString();
    }
}
