package dev.aegaeon.gpubench.pool;

import dev.aegaeon.runtime.backend.Backends;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.worker.DeviceLayout;
import dev.aegaeon.worker.ModelFunction;
import dev.aegaeon.worker.ModelPool;
import dev.aegaeon.worker.WeightOrigin;
import dev.aegaeon.worker.ModelStatus;
import dev.aegaeon.worker.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * First real run of the pooled runtime on a device: N functions of one synthetic model shape (each
 * a distinct pool model with its own loads and KV), Poisson arrivals per function for a bounded
 * time, then a bounded drain. Prints per-function and overall requests done, TTFT p50/p99, TBT p99,
 * the scheduler's SLO attainment (the paper's metric, via {@link ModelPool#status}), switches and
 * load seconds, and writes the same as JSON.
 *
 * <p>Usage: {@code BenchCli pool-smoke [--backend cuda] [--functions 4] [--shape qwen2.5-7b] [--same-seed]
 * [--rate 0.1] [--seconds 120] [--drain 90] [--prompt 161] [--output 338] [--memory-gb 34]
 * [--kv-tokens 4096] [--seed 1] [--devices 1|N|all] [--mode colocated|disaggregated]
 * [--prefill-devices 1] [--out result.json]}. Lengths are exponential around the given
 * means (ShareGPT-like long tail), clipped to what one sequence may hold. {@code --memory-gb} is per
 * device. With several devices it also prints each device's role and busy seconds and, when
 * disaggregated, the KV hand-off time per request (prefill done to KV resident on the decode device).
 * {@code -Daegaeon.pool.peer-handoff=true} hands the KV device to device instead of through host memory.
 */
public final class PoolGpuSmoke {
    private PoolGpuSmoke() {}

    /** Runs the smoke test with {@code a}, prints the table and writes the JSON; the exit status. */
    public static int runAndReport(Args a) throws Exception {
        try {
            var provider = Backends.choose(Optional.of(a.backend)).provider();
            System.out.printf(Locale.ROOT, "%s: %d device(s) on this host%n", provider.name(), provider.deviceCount());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 3;
        }
        // Hard bound on the whole run, whatever hangs: print what we have, then halt.
        long hardLimitMs = (long) ((a.seconds + a.drain + 240) * 1000);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(hardLimitMs);
                System.err.println("error: run exceeded " + hardLimitMs / 1000 + " s; halting");
                Runtime.getRuntime().halt(4);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        }, "smoke-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Result r = run(a);
        r.print(System.out);
        if (a.out != null) {
            Files.createDirectories(a.out.toAbsolutePath().getParent());
            Files.writeString(a.out, r.json());
            System.out.println("wrote " + a.out);
        }
        watchdog.interrupt();
        return 0; // BenchCli exits the JVM regardless of straggling pool threads
    }

    static Result run(Args a) throws InterruptedException {
        PoolOptions options = PoolOptions.defaults().withBackend(a.backend)
                .withMemoryBytes((long) (a.memoryGb * 1e9)).withKvTokensPerModel(a.kvTokens)
                .withDevices(new DeviceLayout(a.devices, a.mode, a.prefillDevices))
                .withPeerHandoff(Boolean.getBoolean("aegaeon.pool.peer-handoff"));
        List<String> names = new ArrayList<>();
        List<RequestRecord> records = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ModelPool pool = new ModelPool(options)) {
            for (int i = 0; i < a.functions; i++) {
                String name = "fn" + i;
                long seed = a.sameSeed ? a.seed : a.seed + i;
                pool.register(new ModelFunction(name, new WeightOrigin.Synthetic(a.shape, seed), SloTargets.PAPER_DEFAULT, 0,
                        Duration.ofSeconds(600), Duration.ofSeconds(1200)));
                names.add(name);
            }
            int vocab = pool.config(names.getFirst()).vocabSize();
            int maxSeq = pool.maxSequenceTokens(names.getFirst());
            System.out.printf(Locale.ROOT, "%d device(s), %s%s%n", pool.deviceCount(), pool.mode().name().toLowerCase(Locale.ROOT),
                    options.peerHandoff() ? ", peer KV hand-offs" : "");
            System.out.printf(Locale.ROOT, "backend %s, %d functions of %s (%s seeds), %.2f req/s each, %.0f s + drain %.0f s, memory %.1f GB, max seq %d%n",
                    pool.backendName(), a.functions, a.shape, a.sameSeed ? "same" : "distinct", a.rate, a.seconds, a.drain, a.memoryGb, maxSeq);

            // The whole trace up front: merged Poisson arrivals of every function, in time order.
            SplittableRandom rnd = new SplittableRandom(a.seed);
            for (String name : names) {
                double t = exp(rnd, 1 / a.rate);
                while (t < a.seconds) {
                    int prompt = clip((int) Math.round(exp(rnd, a.prompt)), 4, maxSeq / 2);
                    int output = clip((int) Math.round(exp(rnd, a.output)), 4, maxSeq - prompt);
                    records.add(new RequestRecord(name, t, prompt, output));
                    t += exp(rnd, 1 / a.rate);
                }
            }
            records.sort((x, y) -> Double.compare(x.arrival, y.arrival));
            CountDownLatch done = new CountDownLatch(records.size());
            for (RequestRecord rec : records) {
                long due = t0 + (long) (rec.arrival * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                int[] prompt = new int[rec.promptTokens];
                for (int k = 0; k < prompt.length; k++) prompt[k] = rnd.nextInt(vocab);
                // Sampled, not greedy: random weights under argmax can loop on one token; EOS still stops.
                SamplingParams params = new SamplingParams(1f, 0, 1f, rnd.nextLong(), rec.outputTokens, List.of(), List.of());
                rec.submitNanos = System.nanoTime();
                try {
                    rec.handle = pool.submit(rec.function, prompt, params, rec.sink(done));
                } catch (RuntimeException e) {
                    rec.error = "rejected: " + e.getMessage();
                    done.countDown();
                }
            }
            boolean drained = done.await((long) (a.drain * 1000), TimeUnit.MILLISECONDS);
            if (!drained) {
                System.out.println("drain timed out; cancelling " + done.getCount() + " open requests");
                for (RequestRecord rec : records) if (rec.handle != null && !rec.finished) rec.handle.cancel();
                done.await(30, TimeUnit.SECONDS);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            List<ModelStatus> statuses = new ArrayList<>();
            for (String n : names) statuses.add(pool.status(n));
            return new Result(a, wall, records, statuses, pool.kvSwaps(), pool.handoffStats(), pool.instanceStats());
        }
    }

    static double exp(SplittableRandom rnd, double mean) { return -Math.log(1 - rnd.nextDouble()) * mean; }

    static int clip(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    /** One request of the trace and what happened to it; sink calls are serial (the pool's contract). */
    static final class RequestRecord {
        final String function;
        final double arrival;
        final int promptTokens;
        final int outputTokens;
        long submitNanos;
        dev.aegaeon.worker.RequestHandle handle;
        final List<Long> tokenNanos = new ArrayList<>();
        volatile boolean finished;
        volatile FinishReason reason;
        volatile String error;

        RequestRecord(String function, double arrival, int promptTokens, int outputTokens) {
            this.function = function;
            this.arrival = arrival;
            this.promptTokens = promptTokens;
            this.outputTokens = outputTokens;
        }

        dev.aegaeon.worker.TokenSink sink(CountDownLatch done) {
            return new dev.aegaeon.worker.TokenSink() {
                @Override
                public void onToken(int index, int tokenId, String text, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
                    synchronized (tokenNanos) {
                        tokenNanos.add(System.nanoTime());
                    }
                }

                @Override
                public void onComplete(FinishReason r, int promptTokens, int completionTokens) {
                    reason = r;
                    finished = true;
                    done.countDown();
                }

                @Override
                public void onError(String message, Throwable cause) {
                    error = message;
                    finished = true;
                    done.countDown();
                }
            };
        }

        boolean completed() { return finished && error == null && reason != FinishReason.CANCELLED; }

        double ttft() {
            synchronized (tokenNanos) {
                return tokenNanos.isEmpty() ? Double.NaN : (tokenNanos.getFirst() - submitNanos) / 1e9;
            }
        }

        List<Double> gaps() {
            synchronized (tokenNanos) {
                List<Double> g = new ArrayList<>();
                for (int i = 1; i < tokenNanos.size(); i++) g.add((tokenNanos.get(i) - tokenNanos.get(i - 1)) / 1e9);
                return g;
            }
        }
    }

    /** Parsed command line. */
    record Args(String backend, int functions, String shape, boolean sameSeed, double rate, double seconds, double drain,
                double prompt, double output, double memoryGb, int kvTokens, long seed, Path out, int devices, DeviceLayout.Mode mode,
                int prefillDevices) {
        /** Parses the options of {@link PoolSmokeOptions}; a bad or unknown option is an IllegalArgumentException. */
        static Args parse(String[] args) {
            PoolSmokeOptions o = new PoolSmokeOptions();
            try {
                new picocli.CommandLine(o).parseArgs(args);
            } catch (picocli.CommandLine.ParameterException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return o.toArgs();
        }

        static Args of(String backend, int functions, String shape, boolean sameSeed, double rate, double seconds, double drain,
                       double prompt, double output, double memoryGb, int kvTokens, long seed, Path out, int devices,
                       DeviceLayout.Mode mode, int prefillDevices) {
            if (functions < 1) throw new IllegalArgumentException("--functions must be >= 1");
            if (!(rate > 0) || !(seconds > 0) || !(drain >= 0) || !(prompt >= 1) || !(output >= 1) || !(memoryGb > 0)) {
                throw new IllegalArgumentException("--rate, --seconds, --prompt, --output, --memory-gb must be positive, --drain >= 0");
            }
            if (devices < 0) throw new IllegalArgumentException("--devices must be a count or 'all'");
            new DeviceLayout(devices, mode, prefillDevices); // a layout that cannot work is a usage error now, not later
            return new Args(backend, functions, shape, sameSeed, rate, seconds, drain, prompt, output, memoryGb, kvTokens, seed, out,
                    devices, mode, prefillDevices);
        }
    }
}
