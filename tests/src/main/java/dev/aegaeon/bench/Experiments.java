package dev.aegaeon.bench;

import dev.aegaeon.scheduler.KvPaging;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.CostModels;
import dev.aegaeon.sim.MeasuredCosts;
import dev.aegaeon.sim.MeasuredTableCostModel;
import dev.aegaeon.sim.GpuKind;
import dev.aegaeon.sim.Policies;
import dev.aegaeon.sim.Profiles;
import dev.aegaeon.sim.SchedulerFactory;
import dev.aegaeon.sim.Simulation;
import dev.aegaeon.sim.Trace;
import dev.aegaeon.sim.WorkloadGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The experiments. All use the paper's attainment metric (per-token deadlines, restart
 * after a miss, time-weighted per request, mean over requests) with the 90% bar; the CSVs carry
 * the standard metrics too.
 */
public final class Experiments {
    static final double TARGET = 0.9;
    static final double DRAIN = 300;

    private final double duration;
    private final long seed;
    private final Path outDir;
    private final PrintStream log;
    private final Profiles profiles = Profiles.bundled();
    private final double loadBytesPerSecond;

    /** Measured GPU costs for e3 (null: the vLLM profile and the default load bandwidth). */
    private final MeasuredCosts measured;

    /**
     * e3 as the e2e runs' pool serves (0: off): that many KV positions per model behind the
     * platform's admission gate, and the pool's memory ({@link Replay#POOL_BYTES}).
     */
    private int e3KvGateTokens;
    private double qmaxSeconds;
    /** KV counted in whole pages of this many bytes per device, as the worker's page pool holds it (0: token by token). */
    private long kvPageBytes = KvPaging.DEFAULT_PAGE_BYTES;
    private long kvSwapBytesPerGpu = dev.aegaeon.sim.Trace.DEFAULT_KV_SWAP_BYTES_PER_GPU;
    private int e3MaxModels = 12;
    private int e4MaxModels = 40;
    private int e1MaxModels = 128;
    private boolean roundBound = SchedulerConfig.defaults().ttftBoundedRounds();
    private final List<Row> allRows = new ArrayList<>();

    /** Makes e3 model the real pool's per-model KV gate of {@code tokens} positions and its 64 GB. */
    /** Our policy with a cap on one batch's decode quota (the platform's aegaeon.pool.qmax-seconds), in every experiment. */
    Experiments withQmax(double seconds) {
        if (!(seconds > 0) || seconds > 60) throw new IllegalArgumentException("--qmax must be in (0, 60] seconds");
        this.qmaxSeconds = seconds;
        return this;
    }

    /** Our policy with decode rounds bounded by the TTFT objective ({@link SchedulerConfig#ttftBoundedRounds}) or not. */
    Experiments withRoundBound(boolean on) {
        this.roundBound = on;
        return this;
    }

    /** Our policy's scheduler settings: the defaults, with the decode-quota cap {@link #withQmax} and the round bound as set. */
    private SchedulerConfig ours() {
        SchedulerConfig c = SchedulerConfig.defaults().withTtftBoundedRounds(roundBound);
        return qmaxSeconds > 0 ? c.withQmaxSeconds(qmaxSeconds) : c;
    }

    /** Every experiment's schedulers count KV in pages of {@code bytes} (the platform's aegaeon.pool.kv-page-bytes). */
    Experiments withKvPageBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("--kv-page-bytes must be >= 0");
        this.kvPageBytes = bytes;
        return this;
    }

    /** The worker's host memory per GPU for swapped-out KV in every experiment (the platform's aegaeon.pool.kv-swap-bytes). */
    Experiments withKvSwapBytesPerGpu(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("--kv-swap-bytes must be >= 0");
        this.kvSwapBytesPerGpu = bytes;
        return this;
    }

    /** How our policy lays out several instances (e1's GPUs, e2's pools). */
    enum Layout {
        /** The default share prefills, the rest decode. */
        DISAGGREGATED,
        /** As disaggregated, but the decode instances prefill too ({@link Policies#aegaeonHybrid}). */
        HYBRID,
        /** Every instance prefills and decodes. */
        COLOCATED,
        /**
         * As disaggregated, but a prefill instance also decodes what it prefilled while nothing is
         * queued to prefill there ({@link SchedulerConfig#prefillDecodesWhenIdle}).
         */
        IDLE_DECODE
    }

    private Layout layout = Layout.DISAGGREGATED;

    Experiments withLayout(Layout layout) {
        this.layout = layout;
        return this;
    }

    /** Our policy on {@code instances} instances of {@code tp} GPUs, laid out as {@link #withLayout} says; one instance runs both phases. */
    private SchedulerFactory oursOn(int instances, int tp, GpuKind gpu) {
        int prefill = Policies.prefillInstances(instances);
        if (instances == 1 || layout == Layout.COLOCATED) return Policies.named("aegaeon", Policies.colocated(instances, tp, gpu, ours()));
        return layout == Layout.HYBRID ? Policies.aegaeonHybrid(prefill, instances - prefill, tp, gpu, ours())
                : Policies.aegaeon(prefill, instances - prefill, tp, gpu, ours().withPrefillDecodesWhenIdle(layout == Layout.IDLE_DECODE));
    }

    /** The suffix of this run's result files: none for the defaults. */
    private String variant() {
        return (qmaxSeconds > 0 ? "-qmax" + qmaxSeconds : "") + (kvPageBytes != KvPaging.DEFAULT_PAGE_BYTES ? (kvPageBytes == 0 ? "-per-token" : "-pages" + kvPageBytes) : "")
                + (kvSwapBytesPerGpu != dev.aegaeon.sim.Trace.DEFAULT_KV_SWAP_BYTES_PER_GPU
                        ? "-swap" + (kvSwapBytesPerGpu == Long.MAX_VALUE ? "unbounded" : kvSwapBytesPerGpu) : "")
                + (layout == Layout.DISAGGREGATED ? "" : "-" + layout.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }

    /** e1 sweeps 16..n models in steps of 8 (default 128). */
    Experiments withE1MaxModels(int n) {
        if (n < 16) throw new IllegalArgumentException("e1 starts at 16 models; --models-up-to must be at least 16");
        this.e1MaxModels = n;
        return this;
    }

    /** Every row of the experiments run so far, in order. */
    List<Row> rows() {
        return List.copyOf(allRows);
    }

    /**
     * Whether a run meets the 90% bar. A run without requests has nothing to miss (its attainment,
     * a mean over no requests, is undefined), so it meets it: the instances it had are enough.
     */
    static boolean meetsTarget(Simulation.Result r) {
        return r.slo().requests() == 0 || r.slo().attainment() >= TARGET;
    }

    /** e3 sweeps 1..n models (default 12). */
    Experiments withE3MaxModels(int n) {
        this.e3MaxModels = n;
        return this;
    }

    /** e4 sweeps 2..n models in steps of 2 (default 40). */
    Experiments withE4MaxModels(int n) {
        if (n < 2) throw new IllegalArgumentException("e4 starts at 2 models; --models-up-to must be at least 2");
        this.e4MaxModels = n;
        return this;
    }

    Experiments withE3KvGate(int tokens) {
        if (tokens < Replay.BLOCK_SIZE) throw new IllegalArgumentException("--kv-tokens-per-model must be at least " + Replay.BLOCK_SIZE);
        this.e3KvGateTokens = tokens;
        return this;
    }

    Experiments(double duration, long seed, double loadBytesPerSecond, Path outDir, PrintStream log) {
        this(duration, seed, loadBytesPerSecond, outDir, log, null);
    }

    Experiments(double duration, long seed, double loadBytesPerSecond, Path outDir, PrintStream log, MeasuredCosts measured) {
        this.measured = measured;
        this.duration = duration;
        this.loadBytesPerSecond = loadBytesPerSecond;
        this.seed = seed;
        this.outDir = outDir;
        this.log = log;
    }

    private Simulation.Result run(Trace trace, GpuKind gpu, SchedulerFactory policy) {
        progress(policy);
        return Simulation.run(trace.withKvPageBytes(kvPageBytes).withKvSwapBytesPerGpu(kvSwapBytesPerGpu), new CostModels(profiles, gpu, loadBytesPerSecond).forModels(trace.models()), policy, DRAIN);
    }

    /** Simulations started so far, on one progress line (a run of e3 is minutes of many simulations). */
    private long simulations;
    private ProgressLine progressLine;

    private void progress(SchedulerFactory policy) {
        if (progressLine == null) progressLine = new ProgressLine(System.err, "simulating");
        progressLine.update(++simulations, 0, policy.name() + " on " + policy.gpus() + " GPU(s)");
    }

    /** e3's cost model: measured when a costs file was given, else the vLLM profile. */
    private Simulation.Result runE3(Trace trace, GpuKind gpu, SchedulerFactory policy) {
        if (measured == null) return run(trace, gpu, policy);
        progress(policy);
        if (e3KvGateTokens > 0) {
            policy = dev.aegaeon.sim.KvGatedScheduler.gated(Policies.withMemory(policy, Replay.POOL_BYTES), e3KvGateTokens, Replay.BLOCK_SIZE, g -> { });
        } else if (kvPageBytes > 0) {
            policy = Policies.withMemory(policy, Replay.POOL_BYTES); // the pool's memory, one page pool shared by every model: no gate
        }
        return Simulation.run(trace.withKvPageBytes(kvPageBytes).withKvSwapBytesPerGpu(kvSwapBytesPerGpu), new MeasuredTableCostModel(measured, CatalogModel.QWEN2_5_7B, measured.hbmBytesPerSecond()),
                policy, DRAIN);
    }

    private void writeCsv(String name, List<Row> rows) throws IOException {
        Files.createDirectories(outDir);
        List<String> lines = new ArrayList<>();
        lines.add(Row.HEADER);
        for (Row r : rows) lines.add(r.csv());
        Files.write(outDir.resolve(name + ".csv"), lines);
    }

    private Row logged(Row r) {
        allRows.add(r);
        log.println(r.csv());
        return r;
    }

    /** e1: 16 H800s, the Qwen2.5-7B / Yi-1.5-9B / Llama-2-13B mix at 0.1 req/s each, 16..128 models (the issue asks 16-80; extended so that our policy's limit shows). */
    public String e1() throws IOException {
        GpuKind gpu = GpuKind.H800;
        int gpus = 16;
        double rate = 0.1;
        List<CatalogModel> mix = List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B);
        List<Row> rows = new ArrayList<>();
        Map<String, Map<Double, Double>> series = new LinkedHashMap<>();
        // The standard metric beside the paper's: its re-anchored chains forgive a slow stream.
        Map<String, Map<Double, Double>> both = new LinkedHashMap<>();
        for (int n = 16; n <= e1MaxModels; n += 8) {
            Map<String, CatalogModel> models = WorkloadGenerator.mix(mix, n);
            Map<String, Double> rates = new HashMap<>();
            models.keySet().forEach(m -> rates.put(m, rate));
            Trace trace = WorkloadGenerator.poisson(models, rates, duration, SloTargets.PAPER_DEFAULT, seed);
            List<String> order = new ArrayList<>(models.keySet());
            Map<String, Long> weights = new HashMap<>();
            models.forEach((m, a) -> weights.put(m, a.weightBytes()));
            for (SchedulerFactory p : List.of(oursOn(gpus, 1, gpu), Policies.requestLevel(gpus, 1, gpu),
                    Policies.staticMux(rates, weights, gpus, 1, gpu), Policies.dedicated(order, Map.of(), 1, gpus, gpu))) {
                Row r = logged(new Row("e1" + variant(), p.name(), n, rate, p.gpus(), run(trace, gpu, p), duration));
                rows.add(r);
                series.computeIfAbsent(p.name(), k -> new TreeMap<>()).put((double) n, r.result().slo().attainment());
                both.computeIfAbsent(p.name(), k -> new TreeMap<>()).put((double) n, r.result().slo().bothSlosShare());
            }
        }
        writeCsv("e1" + variant(), rows);
        Plot.lines(outDir.resolve("e1" + variant() + ".png"), "e1: SLO attainment (paper metric), 16 H800, 0.1 req/s per model", "models", "SLO attainment (paper metric)",
                series, TARGET);
        int ours = sustained(series.get("aegaeon")), theirs = sustained(series.get("request-level"));
        double oursX = crossing(series.get("aegaeon")), theirsX = crossing(series.get("request-level"));
        return String.format("e1" + variant() + ": most models at >= 90%% attainment on the grid: aegaeon %d, request-level %d, dedicated %d -> ratio %.2fx; "
                        + "interpolated 90%% crossing: aegaeon %.1f, request-level %.1f -> ratio %.2fx (paper: 2-2.5x); static-mux %d; "
                        + "standard metric (share of requests within both SLOs >= 90%%): aegaeon %d, request-level %d -> ratio %s",
                ours, theirs, sustained(series.get("dedicated")), (double) ours / theirs, oursX, theirsX, oursX / theirsX,
                sustained(series.get("static-mux")), sustained(both.get("aegaeon")), sustained(both.get("request-level")),
                sustained(both.get("request-level")) == 0 ? "undefined"
                        : String.format("%.2fx", (double) sustained(both.get("aegaeon")) / sustained(both.get("request-level"))));
    }

    /**
     * e1's trace at {@code n} models, run by our policy ({@code prefillGpus} of the 16 prefill; 0:
     * the default share; -1: all colocated; hybrid as {@link #withLayout} says) and by request-level, each with {@link E1Diagnosis}'s breakdown.
     */
    public String e1Diagnosis(int n, int prefillGpus) {
        GpuKind gpu = GpuKind.H800;
        int gpus = 16;
        Map<String, CatalogModel> models = WorkloadGenerator.mix(List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B), n);
        Map<String, Double> rates = new HashMap<>();
        models.keySet().forEach(m -> rates.put(m, 0.1));
        Trace trace = WorkloadGenerator.poisson(models, rates, duration, SloTargets.PAPER_DEFAULT, seed).withKvPageBytes(kvPageBytes)
                .withKvSwapBytesPerGpu(kvSwapBytesPerGpu);
        var cost = new CostModels(profiles, gpu, loadBytesPerSecond).forModels(trace.models());
        SchedulerFactory ours = prefillGpus < 0 ? Policies.colocated(gpus, 1, gpu, ours())
                : prefillGpus == 0 ? oursOn(gpus, 1, gpu)
                : layout == Layout.HYBRID ? Policies.aegaeonHybrid(prefillGpus, gpus - prefillGpus, 1, gpu, ours())
                : Policies.aegaeon(prefillGpus, gpus - prefillGpus, 1, gpu, ours().withPrefillDecodesWhenIdle(layout == Layout.IDLE_DECODE));
        return "e1 at " + n + " models, seed " + seed + ", load " + loadBytesPerSecond / 1e9 + " GB/s\n"
                + E1Diagnosis.run(trace, cost, ours, DRAIN) + E1Diagnosis.run(trace, cost, Policies.requestLevel(gpus, 1, gpu), DRAIN);
    }

    /** Where attainment first falls below the target, linearly interpolated between grid points. */
    static double crossing(Map<Double, Double> s) {
        double prevX = Double.NaN, prevY = Double.NaN;
        for (var e : s.entrySet()) {
            if (e.getValue() < TARGET) {
                if (Double.isNaN(prevX)) return e.getKey();
                return prevX + (e.getKey() - prevX) * (prevY - TARGET) / (prevY - e.getValue());
            }
            prevX = e.getKey();
            prevY = e.getValue();
        }
        return prevX;
    }

    private static int sustained(Map<Double, Double> s) {
        int best = 0;
        for (var e : s.entrySet()) {
            if (e.getValue() >= TARGET) best = Math.max(best, e.getKey().intValue());
            else break;
        }
        return best;
    }

    /**
     * e2: the market (60 models, 1.8B-72B, skewed popularity, 72B on 4 GPUs, H20): the fewest GPUs
     * with attainment >= 90% for dedicated (per model, the fewest instances that keep it >= 90%)
     * and pooled (our policy, small and large models in separate pools, each the fewest instances).
     */
    public String e2() throws IOException {
        GpuKind gpu = GpuKind.H20;
        int count = 60;
        double totalRate = 6.0;
        Map<String, CatalogModel> market = WorkloadGenerator.market(count, seed);
        double[] pop = WorkloadGenerator.marketRates(count, totalRate);
        List<String> names = new ArrayList<>(market.keySet());
        Map<String, Double> rates = new HashMap<>();
        for (int i = 0; i < count; i++) rates.put(names.get(i), pop[i]);
        List<Row> rows = new ArrayList<>();
        int dedicatedGpus = 0;
        for (String m : names) {
            CatalogModel arch = market.get(m);
            Trace t = WorkloadGenerator.poisson(Map.of(m, arch), Map.of(m, rates.get(m)), duration, SloTargets.PAPER_DEFAULT, seed);
            int k = 1;
            Simulation.Result res;
            while (true) {
                var p = Policies.dedicated(List.of(m), Map.of(m, k), arch.tensorParallel(), Integer.MAX_VALUE, gpu);
                res = run(t, gpu, p);
                if (meetsTarget(res) || k >= 64) break;
                k++;
            }
            dedicatedGpus += k * arch.tensorParallel();
            rows.add(logged(new Row("e2" + variant(), "dedicated:" + m, 1, rates.get(m), k * arch.tensorParallel(), res, duration)));
        }
        int pooledGpus = 0;
        for (boolean large : new boolean[] {false, true}) {
            Map<String, CatalogModel> pool = new LinkedHashMap<>();
            market.forEach((m, a) -> {
                if ((a.tensorParallel() > 1) == large) pool.put(m, a);
            });
            if (pool.isEmpty()) continue;
            Trace t = WorkloadGenerator.poisson(pool, rates, duration, SloTargets.PAPER_DEFAULT, seed);
            int tp = large ? 4 : 1;
            double poolRate = 0;
            for (String m : pool.keySet()) poolRate += rates.get(m);
            Row best = null;
            for (int inst = 1; inst <= 64; inst++) {
                var p = oursOn(inst, tp, gpu);
                Row r = logged(new Row("e2" + variant(), "aegaeon:" + (large ? "72b-pool" : "small-pool"), pool.size(), poolRate / pool.size(), inst * tp,
                        run(t, gpu, p), duration));
                rows.add(r);
                if (meetsTarget(r.result())) {
                    best = r;
                    break;
                }
            }
            pooledGpus += best == null ? 64 * tp : best.gpus();
        }
        writeCsv("e2" + variant(), rows);
        double saving = 100.0 * (dedicatedGpus - pooledGpus) / dedicatedGpus;
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("dedicated", (double) dedicatedGpus);
        bars.put("pooled (aegaeon)", (double) pooledGpus);
        Plot.bars(outDir.resolve("e2" + variant() + ".png"), String.format("e2: GPUs for >= 90%% attainment (paper metric), %d-model market on H20 (saving %.0f%%)", count, saving),
                "GPUs", bars);
        return String.format("e2" + variant() + ": fewest GPUs at >= 90%% attainment: dedicated %d, pooled %d -> saving %.1f%% (paper: 82%%)", dedicatedGpus,
                pooledGpus, saving);
    }

    /** The trace with prompt + output clipped to {@code maxSeq} as the loadgen does (output first, at least one token). */
    static Trace clipped(Trace t, int maxSeq) {
        List<dev.aegaeon.scheduler.RequestSpec> reqs = new ArrayList<>();
        int[] out = new int[t.outputTokens().length];
        for (var r : t.requests()) {
            int prompt = Math.min(r.promptTokens(), maxSeq - 1);
            int output = Math.max(1, Math.min(t.outputTokens()[(int) r.id()], maxSeq - prompt));
            reqs.add(new dev.aegaeon.scheduler.RequestSpec(r.id(), r.model(), prompt, output, r.arrivalSeconds(), r.slo()));
            out[(int) r.id()] = output;
        }
        return new Trace(reqs, out, t.models(), t.durationSeconds());
    }

    /** e3's and e4's costs must be the 7B's on an H100 where they were measured. */
    private void requireH100SevenBCosts(String experiment) {
        if (measured != null && (measured.gpu() != GpuKind.H100 || !measured.model().equals(CatalogModel.QWEN2_5_7B.profileKey())))
            throw new IllegalArgumentException(experiment + " needs costs measured for model " + CatalogModel.QWEN2_5_7B.profileKey()
                    + " on H100, the file has " + measured.model() + " on " + measured.gpu());
    }

    /** N Qwen2.5-7B-shaped models at {@code rate} req/s each, as e3 and e4 serve them. */
    private Trace sevenBs(int n, double rate) {
        Map<String, CatalogModel> models = WorkloadGenerator.replicas(CatalogModel.QWEN2_5_7B, n);
        Map<String, Double> rates = new HashMap<>();
        models.keySet().forEach(m -> rates.put(m, rate));
        Trace trace = WorkloadGenerator.poisson(models, rates, duration, SloTargets.PAPER_DEFAULT, seed);
        // The loadgen fits prompt + output into its max_seq (4096) and so into the gate's pool.
        return e3KvGateTokens > 0 ? clipped(trace, Math.min(Replay.KV_TOKENS_PER_MODEL, e3KvGateTokens)) : trace;
    }

    /**
     * e4: two H100s of one host, Qwen2.5-7B-shaped models at 0.1 req/s each, in each layout the
     * platform has: colocated, disaggregated (one prefill GPU, one decode GPU), hybrid (one prefill
     * GPU, one that decodes and prefills too), idle-decode (disaggregated, the prefill GPU decoding
     * what it prefilled while nothing is queued there) and request-level on both.
     */
    public String e4() throws IOException {
        GpuKind gpu = GpuKind.H100;
        requireH100SevenBCosts("e4");
        String name4 = (measured == null ? "e4" : "e4-measured" + (e3KvGateTokens > 0 ? "-kv" + e3KvGateTokens : "")) + variant()
                + (roundBound ? "-roundbound" : "");
        double rate = 0.1;
        List<Row> rows = new ArrayList<>();
        Map<String, Map<Double, Double>> series = new LinkedHashMap<>();
        for (int n = 2; n <= e4MaxModels; n += 2) {
            Trace trace = sevenBs(n, rate);
            for (SchedulerFactory p : List.of(Policies.colocated(2, 1, gpu, ours()),
                    Policies.named("aegaeon-disaggregated", Policies.aegaeon(1, 1, 1, gpu, ours())),
                    Policies.named("aegaeon-hybrid", Policies.aegaeonHybrid(1, 1, 1, gpu, ours())),
                    Policies.named("aegaeon-idle-decode", Policies.aegaeon(1, 1, 1, gpu, ours().withPrefillDecodesWhenIdle(true))),
                    Policies.requestLevel(2, 1, gpu))) {
                Row r = logged(new Row(name4, p.name(), n, rate, 2, runE3(trace, gpu, p), duration));
                rows.add(r);
                series.computeIfAbsent(p.name(), k -> new TreeMap<>()).put((double) n, r.result().slo().attainment());
            }
        }
        writeCsv(name4, rows);
        Plot.lines(outDir.resolve(name4 + ".png"), name4 + ": two H100s, Qwen2.5-7B-shaped models at 0.1 req/s"
                + (measured == null ? "" : " (our measured costs)"), "models", "SLO attainment (paper metric)", series, TARGET);
        StringBuilder out = new StringBuilder(name4 + ": most models on two H100s at >= 90% attainment:");
        for (var e : series.entrySet()) out.append(' ').append(e.getKey()).append(' ').append(sustained(e.getValue()));
        return out.append(measured == null ? "" : "; costs from " + measured.source()).toString();
    }

    /** e3: one H100, Qwen2.5-7B-shaped models at 0.1 req/s each, colocated. */
    public String e3() throws IOException {
        GpuKind gpu = GpuKind.H100;
        requireH100SevenBCosts("e3");
        String name3 = (measured == null ? "e3" : "e3-measured" + (e3KvGateTokens > 0 ? "-kv" + e3KvGateTokens : ""))
                + variant();
        double rate = 0.1;
        List<Row> rows = new ArrayList<>();
        Map<String, Map<Double, Double>> series = new LinkedHashMap<>();
        for (int n = 1; n <= e3MaxModels; n++) {
            Trace trace = sevenBs(n, rate);
            for (SchedulerFactory p : List.of(Policies.colocated(1, 1, gpu, ours()),
                    Policies.named("aegaeon-colocated-paper", Policies.colocated(1, 1, gpu, SchedulerConfig.paper())), Policies.requestLevel(1, 1, gpu))) {
                String name = p.name();
                Row r = logged(new Row(name3, name, n, rate, 1, runE3(trace, gpu, p), duration));
                rows.add(r);
                series.computeIfAbsent(name, k -> new TreeMap<>()).put((double) n, r.result().slo().attainment());
            }
        }
        writeCsv(name3, rows);
        Plot.lines(outDir.resolve(name3 + ".png"), name3 + ": one H100, Qwen2.5-7B-shaped models at 0.1 req/s"
                        + (measured == null ? "" : " (our measured costs)") + (e3KvGateTokens > 0 ? ", " + e3KvGateTokens + " KV tokens/model" : ""), "models", "SLO attainment (paper metric)", series, TARGET);
        return String.format("%s: most models on one H100 at >= 90%% attainment: aegaeon-colocated %d (paper: up to 7)%s", name3,
                sustained(series.get("aegaeon-colocated")), measured == null ? "" : "; costs from " + measured.source());
    }
}
