package dev.aegaeon.bench;

import dev.aegaeon.sim.GpuKind;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of {@code aegaeon-bench.jar}:
 * <pre>
 *   simulate --experiment e1|e2|e3|e4 [--duration SECONDS] [--seed N] [--load-gbps G] --out DIR
 *   bench-scheduler [--models N] [--steps N]
 *   bench-sim [--models N] [--duration SECONDS]
 *   plot-e2e --measured A.csv,B.csv [--simulated e3-measured.csv] [--title T] --out FILE.png
 *   plot-kernel-bench --csv SUMMARY.csv [--title T] --out FILE.png
 *   loadgen --url URL (--functions N | --functions-list 2,4,..) --out DIR [...]   (see LoadgenOptions)
 * </pre>
 */
public final class BenchMain {
    /** Longest simulated span accepted (a day): traces are held in memory. */
    static final double MAX_DURATION = 86_400;

    private BenchMain() {}

    private static int bounded(Args a, String name, int dflt, int min, int max) {
        double v = a.number(name, dflt);
        if (v != Math.rint(v) || v < min || v > max) throw new IllegalArgumentException("--" + name + " must be an integer in [" + min + ", " + max + "]");
        return (int) v;
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("error: " + e);
            System.exit(1);
        }
    }

    static String usage() {
        return """
                usage:
                  simulate --experiment e1|e2|e3|e4 [--duration SECONDS] [--seed N] [--load-gbps G] [--costs FILE (e3, e4)] [--kv-tokens-per-model K (e3 with --costs: the real pool's KV gate, 64 GB)] [--qmax S (our policy's decode-quota cap; results named -qmaxS)] [--round-bound on|off (our decode rounds bounded by the TTFT objective; default: the scheduler's)] [--kv-page-bytes P (KV counted in whole pages of P bytes, as the worker's page pool does; default 1048576, the platform's aegaeon.pool.kv-page-bytes; 0: token by token; results named -pagesP, or -per-token for 0)] [--kv-swap-bytes B|unbounded (host memory per GPU for swapped-out KV, past which a swap-out is a recompute, as the worker's aegaeon.pool.kv-swap-bytes; default 4 GiB; otherwise results named -swapB)] [--models-up-to N (e1: 16..N step 8, default 128; e3: 1..N, default 12; e4, two H100s in every layout: 2..N step 2, default 40)] [--layout disaggregated|hybrid|colocated|idle-decode (e1 and e2's pools, our policy: hybrid, the decode GPUs also prefill; colocated, every GPU does both; idle-decode, the prefill GPUs also decode what they prefilled while nothing is queued there; results named -hybrid / -colocated / -idle-decode)] [--diagnose-models N [--prefill-gpus P (-1: colocated)] (e1: one point, ours and request-level, with where attainment is lost)] --out DIR
                  simulate --experiment e3 --costs FILE --trace-from POINT.json[,..] [--load-s S] [--decode-scale X] [--prefill-scale X] [--kv-tokens 8192,..] [--qmax 2,..] [--kv-page-bytes P [--round-bound on|off] [--free-s S] (the run shared KV pages: adds its configuration as run; --free-s: seconds per eviction, spent on the copy engine and, as the worker did before, blocking the scheduler)] --out DIR
                  bench-scheduler [--models N] [--steps N]
                  bench-sim [--models N] [--duration SECONDS]
                  plot-e2e --measured A.csv,B.csv [--simulated e3-measured.csv] [--title T] --out FILE.png
                  plot-kernel-bench --csv SUMMARY.csv [--title T] --out FILE.png
                """ + dev.aegaeon.loadgen.LoadgenOptions.USAGE;
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("no command given");
        Args a = Args.parse(args, 1);
        switch (args[0]) {
            case "simulate" -> {
                String exp = a.required("experiment");
                String replay = a.string("trace-from", null);
                double duration = a.number("duration", 600);
                long seed = (long) a.number("seed", 1);
                Path out = Path.of(a.required("out"));
                if (!(duration > 0) || duration > MAX_DURATION) {
                    throw new IllegalArgumentException("--duration must be in (0, " + (long) MAX_DURATION + "] seconds");
                }
                double loadGbps = a.number("load-gbps", GpuKind.PINNED_H2D_BYTES_PER_SECOND / 1e9);
                if (!(loadGbps > 0) || loadGbps > 10_000) throw new IllegalArgumentException("--load-gbps must be in (0, 10000]");
                String costsFile = a.string("costs", null);
                if (costsFile != null && !exp.equals("e3") && !exp.equals("e4")) throw new IllegalArgumentException("--costs applies to e3 and e4 only");
                dev.aegaeon.sim.MeasuredCosts costs = costsFile == null ? null : dev.aegaeon.sim.MeasuredCosts.read(Path.of(costsFile));
                if (replay != null) {
                    if (!exp.equals("e3") || costs == null) throw new IllegalArgumentException("--trace-from needs --experiment e3 and --costs");
                    List<Path> files = java.util.Arrays.stream(replay.split(",")).map(String::trim).map(Path::of).toList();
                    List<Double> qmaxes = java.util.Arrays.stream(a.string("qmax", "").split(",")).map(String::trim).filter(x -> !x.isEmpty())
                            .map(Double::parseDouble).toList();
                    List<Integer> kvTokens = java.util.Arrays.stream(a.string("kv-tokens", "").split(",")).map(String::trim)
                            .filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
                    String rb = a.string("round-bound", null);
                    if (rb != null && !rb.equals("on") && !rb.equals("off")) throw new IllegalArgumentException("--round-bound must be on or off, got '" + rb + "'");
                    boolean roundBound = "on".equals(rb);
                    double qmax = qmaxes.isEmpty() ? 0 : qmaxes.getFirst(), load = a.number("load-s", Double.NaN);
                    List<Replay.Variant> ladder = new java.util.ArrayList<>(Replay.ladder(a.number("decode-scale", 1), a.number("prefill-scale", 1),
                            load, kvTokens, qmaxes));
                    if (a.string("kv-page-bytes", null) != null) {  // the run shared KV pages: its configuration as run
                        double free = a.number("free-s", Double.NaN);
                        if (!Double.isNaN(free) && !(free >= 0 && free <= 60)) throw new IllegalArgumentException("--free-s must be in [0, 60]");
                        ladder.addAll(Replay.asRun((long) bounded(a, "kv-page-bytes", 0, 1, 1 << 30), roundBound, qmax, load, free));
                    }
                    if (rb != null) {  // each gate as the run had it: fixed per-model pools, rounds as given
                        for (int k : kvTokens) ladder.add(Replay.gatedAsRun(k, roundBound, qmax, load));
                    }
                    List<String> lines = Replay.report(files, costs, ladder, System.out);
                    java.nio.file.Files.createDirectories(out);
                    java.nio.file.Files.write(out.resolve("e3-replay.txt"), lines);
                    return 0;
                }
                Experiments e = new Experiments(duration, seed, loadGbps * 1e9, out, System.out, costs);
                String gate = a.string("kv-tokens-per-model", null);
                if (gate != null) {
                    if (costs == null) throw new IllegalArgumentException("--kv-tokens-per-model needs e3 or e4 with --costs");
                    e.withE3KvGate(bounded(a, "kv-tokens-per-model", 0, 16, 1 << 20));
                }
                if (a.string("qmax", null) != null) e.withQmax(a.number("qmax", 4));
                String roundBound = a.string("round-bound", null);
                if (roundBound != null) {
                    switch (roundBound) {
                        case "on" -> e.withRoundBound(true);
                        case "off" -> e.withRoundBound(false);
                        default -> throw new IllegalArgumentException("--round-bound must be on or off, got '" + roundBound + "'");
                    }
                }
                if (a.string("kv-page-bytes", null) != null) e.withKvPageBytes((long) bounded(a, "kv-page-bytes", 0, 0, 1 << 30));
                String swap = a.string("kv-swap-bytes", null);
                if (swap != null) e.withKvSwapBytesPerGpu(swap.equals("unbounded") ? Long.MAX_VALUE : Long.parseLong(swap));
                if (a.string("models-up-to", null) != null) {
                    switch (exp) {
                        case "e1" -> e.withE1MaxModels(bounded(a, "models-up-to", 128, 16, 1024));
                        case "e3" -> e.withE3MaxModels(bounded(a, "models-up-to", 12, 1, 64));
                        case "e4" -> e.withE4MaxModels(bounded(a, "models-up-to", 40, 2, 128));
                        default -> throw new IllegalArgumentException("--models-up-to applies to e1, e3 and e4");
                    }
                }
                String layout = a.string("layout", null);
                if (layout != null) {
                    if (!exp.equals("e1") && !exp.equals("e2")) throw new IllegalArgumentException("--layout applies to e1 and e2");
                    switch (layout) {
                        case "disaggregated" -> e.withLayout(Experiments.Layout.DISAGGREGATED);
                        case "hybrid" -> e.withLayout(Experiments.Layout.HYBRID);
                        case "colocated" -> e.withLayout(Experiments.Layout.COLOCATED);
                        case "idle-decode" -> e.withLayout(Experiments.Layout.IDLE_DECODE);
                        default -> throw new IllegalArgumentException("--layout must be disaggregated, hybrid, colocated or idle-decode, got '" + layout + "'");
                    }
                }
                if (a.string("diagnose-models", null) != null) {
                    if (!exp.equals("e1")) throw new IllegalArgumentException("--diagnose-models applies to e1");
                    System.out.print(e.e1Diagnosis(bounded(a, "diagnose-models", 88, 1, 1024), bounded(a, "prefill-gpus", 0, -1, 15)));
                    return 0;
                }
                String summary = switch (exp) {
                    case "e1" -> e.e1();
                    case "e2" -> e.e2();
                    case "e3" -> e.e3();
                    case "e4" -> e.e4();
                    default -> throw new IllegalArgumentException("unknown experiment '" + exp + "' (known: e1, e2, e3, e4)");
                };
                System.out.println(summary);
            }
            case "bench-scheduler" -> System.out.println(SchedulerBench.run(bounded(a, "models", 100, 4, 10_000),
                    bounded(a, "steps", 200_000, 1, 10_000_000)));
            case "bench-sim" -> {
                double duration = a.number("duration", 3600);
                if (!(duration > 0) || duration > MAX_DURATION) {
                    throw new IllegalArgumentException("--duration must be in (0, " + (long) MAX_DURATION + "] seconds");
                }
                System.out.println(SimulatorBench.run(bounded(a, "models", 1000, 1, 100_000), duration));
            }
            case "loadgen" -> {
                var points = dev.aegaeon.loadgen.LoadgenMain.run(dev.aegaeon.loadgen.LoadgenOptions.parse(args, 1), System.out);
                // A point where nothing succeeded is a failed run, not a measurement.
                if (points.stream().anyMatch(p -> p.ok() == 0)) return 3;
            }
            case "plot-e2e" -> {
                List<Path> measured = java.util.Arrays.stream(a.required("measured").split(",")).map(String::trim).map(Path::of).toList();
                String sim = a.string("simulated", null);
                Path png = Path.of(a.required("out"));
                dev.aegaeon.loadgen.AttainmentPlot.write(png, measured, sim == null ? null : Path.of(sim),
                        a.string("title", dev.aegaeon.loadgen.AttainmentPlot.DEFAULT_TITLE));
                System.out.println("wrote " + png);
            }
            case "plot-kernel-bench" -> {
                Path png = Path.of(a.required("out"));
                KernelBenchPlot.write(Path.of(a.required("csv")), png,
                        a.string("title", "Kernel bench: step time, ours vs vLLM (lower is better)"));
                System.out.println("wrote " + png);
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
        }
        return 0;
    }
}
