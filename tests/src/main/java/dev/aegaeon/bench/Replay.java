package dev.aegaeon.bench;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.sim.AdjustedCostModel;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.GpuKind;
import dev.aegaeon.sim.KvGatedScheduler;
import dev.aegaeon.sim.MeasuredCosts;
import dev.aegaeon.sim.MeasuredTableCostModel;
import dev.aegaeon.sim.Policies;
import dev.aegaeon.sim.ReplayedTrace;
import dev.aegaeon.sim.SchedulerFactory;
import dev.aegaeon.sim.Simulation;
import dev.aegaeon.sim.SimulatedExecutor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replays measured load points (loadgen JSONs) in the simulator on the measured cost table, under
 * a ladder of model assumptions, and prints each beside the measured figures: which difference
 * between the simulator and the real pool explains the measured attainment.
 */
public final class Replay {
    /** The e2e runs' pool: 64 GB of the CUDA arena, 4096 KV positions per engine in 16-token blocks. */
    public static final long POOL_BYTES = 64_000_000_000L;
    public static final int KV_TOKENS_PER_MODEL = 4096, BLOCK_SIZE = 16;

    /**
     * One set of simulator assumptions.
     *
     * @param memoryBytes instance memory (the simulator's H100 default or the real pool's)
     * @param kvGateTokens the platform's per-model KV admission gate in front of the scheduler, with this many positions per engine (0: none)
     * @param kvPageBytes KV counted in whole pages of one pool per GPU, as the worker's shared page pool (0: token by token)
     * @param evictSeconds seconds each eviction's free takes (NaN: none)
     * @param evictions where the free spends them: the copy engine, or the scheduler's thread (the worker before the move)
     */
    public record Variant(String name, long memoryBytes, int kvGateTokens, double decodeScale, double prefillScale, double loadSeconds,
                          SchedulerConfig config, long kvPageBytes, double evictSeconds, SimulatedExecutor.Evictions evictions) {
        Variant(String name, long memoryBytes, int kvGateTokens, double decodeScale, double prefillScale, double loadSeconds,
                SchedulerConfig config, long kvPageBytes, double evictSeconds) {
            this(name, memoryBytes, kvGateTokens, decodeScale, prefillScale, loadSeconds, config, kvPageBytes, evictSeconds,
                    SimulatedExecutor.Evictions.COPY_ENGINE);
        }

        Variant(String name, long memoryBytes, int kvGateTokens, double decodeScale, double prefillScale, double loadSeconds,
                SchedulerConfig config) {
            this(name, memoryBytes, kvGateTokens, decodeScale, prefillScale, loadSeconds, config, 0);
        }

        Variant(String name, long memoryBytes, int kvGateTokens, double decodeScale, double prefillScale, double loadSeconds,
                SchedulerConfig config, long kvPageBytes) {
            this(name, memoryBytes, kvGateTokens, decodeScale, prefillScale, loadSeconds, config, kvPageBytes, Double.NaN);
        }

        CostModel cost(MeasuredCosts m) {
            CostModel table = new MeasuredTableCostModel(m, CatalogModel.QWEN2_5_7B, m.hbmBytesPerSecond());
            return decodeScale == 1 && prefillScale == 1 && Double.isNaN(loadSeconds) && Double.isNaN(evictSeconds) ? table
                    : new AdjustedCostModel(table, decodeScale, prefillScale, loadSeconds, evictSeconds);
        }
    }

    /** The ladder: the generated-trace e3 assumptions first, then each real-pool difference added in turn. */
    public static List<Variant> ladder(double decodeScale, double prefillScale, double loadSeconds, List<Integer> largerKv, List<Double> qmax) {
        SchedulerConfig d = SchedulerConfig.defaults();
        long h100 = GpuKind.H100.memoryBytes;
        int kv = KV_TOKENS_PER_MODEL;
        List<Variant> l = new ArrayList<>(List.of(
                new Variant("e3-assumptions", h100, 0, 1, 1, Double.NaN, d),
                new Variant("+pool-64GB", POOL_BYTES, 0, 1, 1, Double.NaN, d),
                new Variant("+kv-gate-" + kv, POOL_BYTES, kv, 1, 1, Double.NaN, d)));
        if (!Double.isNaN(loadSeconds)) l.add(new Variant("+load-" + fmt(loadSeconds), POOL_BYTES, kv, 1, 1, loadSeconds, d));
        if (decodeScale != 1 || prefillScale != 1) {
            l.add(new Variant("+steps-" + fmt(decodeScale) + "/" + fmt(prefillScale), POOL_BYTES, kv, decodeScale, prefillScale, loadSeconds, d));
        }
        Variant last = l.getLast();
        for (int k : largerKv) l.add(new Variant("kv-gate-" + k, POOL_BYTES, k, last.decodeScale(), last.prefillScale(), last.loadSeconds(), d));
        // Scheduler alternatives on the measured setting and, where asked, on the largest gate.
        List<Integer> gates = new ArrayList<>(List.of(kv));
        if (!largerKv.isEmpty()) gates.add(largerKv.getLast());
        for (double q : qmax) {
            for (int k : gates) {
                l.add(new Variant("qmax" + q + "-kv" + k, POOL_BYTES, k, last.decodeScale(), last.prefillScale(), last.loadSeconds(), d.withQmaxSeconds(q)));
            }
        }
        return List.copyOf(l);
    }

    /** The scheduler's defaults with a run's round bound and quota cap ({@code qmax} 0: the default). */
    private static SchedulerConfig runConfig(boolean roundBound, double qmax) {
        SchedulerConfig c = SchedulerConfig.defaults().withTtftBoundedRounds(roundBound);
        return qmax > 0 ? c.withQmaxSeconds(qmax) : c;
    }

    /**
     * The configuration a run used when its pool kept a fixed KV pool per model, its requests gated at
     * admission by {@code gateTokens} positions (prompt + max tokens each): decode rounds bounded by
     * the TTFT objective or not, the quota cap {@code qmax} (0: the default), the measured seconds per
     * load where given.
     */
    public static Variant gatedAsRun(int gateTokens, boolean roundBound, double qmax, double loadSeconds) {
        SchedulerConfig c = runConfig(roundBound, qmax);
        String name = "gate" + gateTokens + (roundBound ? "-rb" : "") + (Double.isNaN(loadSeconds) ? "" : "-load" + fmt(loadSeconds));
        return new Variant(name, POOL_BYTES, gateTokens, 1, 1, loadSeconds, c);
    }

    /**
     * The configuration a run used when its pool shared KV pages (no per-model gate): pages of
     * {@code pageBytes}, decode rounds bounded by the TTFT objective or not, the quota cap
     * {@code qmax} (0: the default); then, where given, with the measured seconds per load.
     */
    public static List<Variant> asRun(long pageBytes, boolean roundBound, double qmax, double loadSeconds) {
        return asRun(pageBytes, roundBound, qmax, loadSeconds, Double.NaN);
    }

    /** As {@link #asRun(long, boolean, double, double)}, then, where given, with each eviction's seconds on the copy engine too. */
    public static List<Variant> asRun(long pageBytes, boolean roundBound, double qmax, double loadSeconds, double evictSeconds) {
        SchedulerConfig c = runConfig(roundBound, qmax);
        String name = "pages" + (roundBound ? "-rb" : "");
        List<Variant> l = new ArrayList<>(List.of(new Variant(name, POOL_BYTES, 0, 1, 1, Double.NaN, c, pageBytes)));
        if (!Double.isNaN(loadSeconds)) l.add(new Variant(name + "-load" + fmt(loadSeconds), POOL_BYTES, 0, 1, 1, loadSeconds, c, pageBytes));
        if (!Double.isNaN(evictSeconds)) {
            String load = Double.isNaN(loadSeconds) ? "" : "-load" + fmt(loadSeconds);
            l.add(new Variant(name + load + "-free" + fmt(evictSeconds), POOL_BYTES, 0, 1, 1, loadSeconds, c, pageBytes, evictSeconds));
            l.add(new Variant(name + load + "-free" + fmt(evictSeconds) + "-blocking", POOL_BYTES, 0, 1, 1, loadSeconds, c, pageBytes,
                    evictSeconds, SimulatedExecutor.Evictions.BLOCKING_SCHEDULER));
        }
        return List.copyOf(l);
    }

    private static String fmt(double v) {
        return String.format("%.2f", v);
    }

    /** Outcome of one variant on one trace. */
    public record Outcome(Variant variant, Simulation.Result result, double[] ttft, long heldBack) {
        /** Requests late (TTFT over {@code slo} or none) both here and in the measurement. */
        int lateInBoth(double[] measured, double slo) {
            int n = 0;
            for (int i = 0; i < measured.length; i++) if (!Double.isNaN(measured[i]) && !(measured[i] <= slo) && !(ttft[i] <= slo)) n++;
            return n;
        }

        int late(double slo) {
            int n = 0;
            for (double t : ttft) if (!(t <= slo)) n++;
            return n;
        }

        /** Median over requests of |simulated - measured| TTFT (requests with a measured TTFT). */
        double medianTtftGap(double[] measured) {
            List<Double> gaps = new ArrayList<>();
            for (int i = 0; i < measured.length; i++) if (Double.isFinite(measured[i])) gaps.add(Math.abs(ttft[i] - measured[i]));
            if (gaps.isEmpty()) return Double.NaN;
            gaps.sort(null);
            return gaps.get(gaps.size() / 2);
        }
    }

    public static Outcome run(ReplayedTrace rt, MeasuredCosts costs, Variant v, boolean requestLevel) {
        double[] ttft = new double[rt.trace().requests().size()];
        Arrays.fill(ttft, Double.POSITIVE_INFINITY);
        SchedulerListener firstTokens = new SchedulerListener() {
            @Override
            public void onToken(long id, int index, double time) {
                if (index == 0) ttft[(int) id] = time - rt.trace().requests().get((int) id).arrivalSeconds();
            }
        };
        SchedulerFactory base = requestLevel ? Policies.requestLevel(1, 1, GpuKind.H100) : Policies.colocated(1, 1, GpuKind.H100, v.config());
        SchedulerFactory sized = Policies.withMemory(base, v.memoryBytes());
        KvGatedScheduler[] gate = {null};
        SchedulerFactory policy = v.kvGateTokens() <= 0 ? sized : KvGatedScheduler.gated(sized, v.kvGateTokens(), BLOCK_SIZE, g -> gate[0] = g);
        var trace = v.kvPageBytes() > 0 ? rt.trace().withKvPageBytes(v.kvPageBytes()) : rt.trace();
        Simulation.Result r = Simulation.run(trace, v.cost(costs), policy, rt.drainSeconds(), firstTokens, s -> { }, (e, d) -> { },
                v.evictions());
        return new Outcome(v, r, ttft, gate[0] == null ? 0 : gate[0].heldBack());
    }

    /** Columns: loads = model loads (measured: the pool's switches); busy = busy_s over the point's end; gated = requests
     *  that waited at the KV gate; |dTTFT|50 = median per-request TTFT gap to the measurement; late = requests over the
     *  TTFT SLO / of those, late in the measurement too. */
    static final String HEADER = String.format("%-24s %-36s %3s %5s %7s %8s %8s %6s %7s %6s %5s %9s %8s", "point", "variant", "N", "reqs", "attain",
            "ttft50", "ttft99", "loads", "busy_s", "busy", "gated", "|dTTFT|50", "late");

    /** Replays each file under the ladder; returns the printed lines. */
    public static List<String> report(List<Path> files, MeasuredCosts costs, List<Variant> ladder, PrintStream out) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        out.println(HEADER);
        for (Path f : files) {
            ReplayedTrace rt = f.toString().startsWith(GENERATED) ? generated(f.toString()) : ReplayedTrace.read(f);
            boolean rl = rt.policy().startsWith("request");
            String point = f.toString().startsWith(GENERATED) ? f.toString()
                    : (f.getParent() == null ? "" : f.getParent().getFileName() + "/") + "n" + rt.trace().models().size();
            int n = rt.trace().models().size();
            String m = String.format("%-24s %-36s %3d %5d %7.3f %8.2f %8.2f %6.0f %7.1f %6.3f %5s %9s %8s", point, "MEASURED", n, rt.trace().requests().size(),
                    rt.measured("attainment"), rt.measured("ttft_p50_s"), rt.measured("ttft_p99_s"), rt.measured("switches"),
                    rt.measured("busy_s"), rt.measured("gpu_busy_share"), "", "", lateMeasured(rt));
            lines.add(m);
            out.println(m);
            for (Variant v : ladder) {
                Outcome o = run(rt, costs, v, rl);
                Simulation.Result r = o.result();
                String s = String.format("%-24s %-36s %3d %5d %7.3f %8.2f %8.2f %6d %7.1f %6.3f %5d %9.2f %8s", point, shorten(v.name()), n, rt.trace().requests().size(),
                        r.slo().attainment(), r.slo().ttftP50(), r.slo().ttftP99(), r.slo().loads(), r.busyGpuSeconds(), r.utilisation(), o.heldBack(),
                        o.medianTtftGap(rt.measuredTtft()), o.late(slo(rt)) + "/" + o.lateInBoth(rt.measuredTtft(), slo(rt)));
                lines.add(s);
                out.println(s);
            }
        }
        return lines;
    }

    private static double slo(ReplayedTrace rt) {
        return rt.trace().requests().isEmpty() ? Double.POSITIVE_INFINITY : rt.trace().requests().getFirst().slo().ttftSeconds();
    }

    /** Requests late in the measurement ("" when nothing per request was measured). */
    private static String lateMeasured(ReplayedTrace rt) {
        int n = 0;
        for (double t : rt.measuredTtft()) {
            if (Double.isNaN(t)) return "";
            if (!(t <= slo(rt))) n++;
        }
        return Integer.toString(n);
    }

    /** {@code gen:POLICY:N:SECONDS:DRAIN:SEED}: the trace the loadgen sends for that point (when its JSON was not kept). */
    static final String GENERATED = "gen:";

    static ReplayedTrace generated(String spec) {
        String[] p = spec.substring(GENERATED.length()).split(":");
        if (p.length != 5) throw new IllegalArgumentException("'" + spec + "': expected gen:POLICY:N:SECONDS:DRAIN:SEED");
        try {
            int n = Integer.parseInt(p[1]);
            double seconds = Double.parseDouble(p[2]), drain = Double.parseDouble(p[3]);
            long seed = Long.parseLong(p[4]);
            if (n < 1 || n > 1000 || !(seconds > 0) || seconds > 86_400 || !(drain >= 0)) throw new IllegalArgumentException("'" + spec + "': out of range");
            List<String> fns = new ArrayList<>();
            for (int i = 0; i < n; i++) fns.add("fn" + i);
            var planned = dev.aegaeon.loadgen.LoadTrace.generate(fns, 0.1, seconds, KV_TOKENS_PER_MODEL, seed);
            List<dev.aegaeon.scheduler.RequestSpec> specs = new ArrayList<>();
            int[] out = new int[planned.size()];
            for (int i = 0; i < planned.size(); i++) {
                var r = planned.get(i);
                specs.add(new dev.aegaeon.scheduler.RequestSpec(i, r.function(), r.promptTokens(), r.outputTokens(), r.arrivalSeconds(),
                        dev.aegaeon.scheduler.SloTargets.PAPER_DEFAULT));
                out[i] = r.outputTokens();
            }
            return ReplayedTrace.planned(specs, out, n, seconds, drain, p[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': " + e.getMessage());
        }
    }

    private static String shorten(String s) {
        return s.length() <= 36 ? s : s.substring(0, 36);
    }
}
