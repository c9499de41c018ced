package dev.aegaeon.platform.dashboard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.aegaeon.worker.timeline.SpanKind;
import dev.aegaeon.worker.timeline.TimelineRecorder;

/**
 * Feeds a {@link TimelineRecorder} what a busy pool would record: {@code functions} models time-
 * sliced token by token over {@code devices} GPUs, each GPU serving a few models at a time and
 * switching its set every few seconds (a weight load on its copy lane), with prefills, KV swaps and
 * idle gaps. Deterministic for a seed; times end at the recorder's now.
 */
final class SimulatedPool {
    final TimelineRecorder recorder;
    final List<String> names = new ArrayList<>();
    private final Random random;
    private final double[] clock;
    private final List<List<String>> sets = new ArrayList<>();

    SimulatedPool(int functions, int devices, long seed) {
        List<String> roles = new ArrayList<>(Collections.nCopies(devices, "colocated"));
        recorder = TimelineRecorder.forDevices(roles);
        random = new Random(seed);
        String[] kinds = {"chat", "code", "summarise", "translate", "rag", "agent"};
        for (int i = 0; i < functions; i++) names.add(kinds[i % kinds.length] + "-" + String.format("%03d", i));
        clock = new double[devices];
        for (int d = 0; d < devices; d++) sets.add(new ArrayList<>());
    }

    /** Simulates devices from {@code fromMs} to {@code toMs} (epoch ms), continuing where the last call ended. */
    void run(double fromMs, double toMs) {
        for (int d = 0; d < clock.length; d++) {
            double t = Math.max(clock[d], fromMs);
            while (t < toMs) t = slice(d, t, toMs);
            clock[d] = t;
        }
    }

    /** A few seconds of one device: maybe a new model set (loads), then token-level turns among its models. */
    private double slice(int d, double t, double end) {
        List<String> set = sets.get(d);
        if (set.isEmpty() || random.nextDouble() < 0.35) {
            for (String m : set) recorder.resident(d, m, false);
            set.clear();
            int n = 2 + random.nextInt(3);
            double copyAt = t;
            for (int i = 0; i < n; i++) {
                String m = names.get(random.nextInt(names.size()));
                if (set.contains(m)) continue;
                set.add(m);
                double load = 300 + random.nextInt(600);
                recorder.recordMillis(d, SpanKind.LOAD, m, copyAt, copyAt + load, 0, 15L << 30);
                recorder.resident(d, m, true);
                copyAt += load;
            }
            t += 200; // compute starts once the first model is in
        }
        if (random.nextDouble() < 0.1) return t + 500 + random.nextInt(2500); // no traffic: idle
        double until = Math.min(end, t + 2000 + random.nextInt(4000));
        while (t < until) {
            String m = set.get(random.nextInt(set.size()));
            if (random.nextDouble() < 0.1) {
                double p = 20 + random.nextInt(60);
                recorder.recordMillis(d, SpanKind.PREFILL, m, t, t + p, 1 + random.nextInt(4), 0);
                t += p;
            }
            for (int s = 0, steps = 1 + random.nextInt(8); s < steps && t < until; s++) {
                double step = 12 + random.nextInt(14);
                recorder.recordMillis(d, SpanKind.DECODE, m, t, t + step, 1 + random.nextInt(16), 0);
                t += step + random.nextInt(3);
            }
            if (random.nextDouble() < 0.03) {
                recorder.recordMillis(d, SpanKind.SWAP_OUT, m, t, t + 6, 0, 64L << 20);
                t += 6;
            }
            if (random.nextDouble() < 0.05) t += random.nextInt(80); // a short idle gap
        }
        return t;
    }

    /** The function table a platform would send with this timeline (figures plausible, not measured). */
    List<Map<String, Object>> functions(Map<String, Long> tokens, double rateSeconds) {
        List<Map<String, Object>> out = new ArrayList<>();
        Random r = new Random(7);
        java.util.Set<String> resident = new java.util.HashSet<>();
        for (List<String> s : sets) resident.addAll(s);
        for (String n : names) {
            Map<String, Object> f = new LinkedHashMap<>();
            long tok = tokens.getOrDefault(n, 0L);
            f.put("name", n);
            f.put("tier", tok > 0 && resident.contains(n) ? "ACTIVE" : resident.contains(n) ? "HOT" : r.nextBoolean() ? "WARM" : "COLD");
            int running = "ACTIVE".equals(f.get("tier")) ? 1 + r.nextInt(6) : 0;
            f.put("running", running);
            f.put("waiting", running > 0 ? r.nextInt(3) : 0);
            f.put("completed", (long) r.nextInt(5000));
            f.put("tokensPerSecond", tok / rateSeconds);
            f.put("ttft", List.of(0.2 + r.nextDouble(), 1.5 + 3 * r.nextDouble()));
            f.put("tbt", List.of(0.02 + 0.03 * r.nextDouble(), 0.08 + 0.1 * r.nextDouble()));
            f.put("slo", 0.6 + 0.4 * r.nextDouble());
            f.put("sloTarget", List.of(10.0, 0.1));
            f.put("switches", (long) r.nextInt(40));
            f.put("protected", r.nextInt(10) == 0);
            out.add(f);
        }
        return out;
    }
}
