package dev.aegaeon.loadgen;

import dev.aegaeon.scheduler.SloTargets;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One measured point: N functions driven by the trace for the window, each request sent at its
 * arrival time (a sender thread sleeps until then; sends are asynchronous, so a slow stream never
 * delays the next arrival), then a bounded drain, after which stragglers are cancelled.
 */
final class LoadPoint {
    static final double WARMUP_LIMIT_SECONDS = 300;
    private final HttpClient http;
    private final LoadgenOptions o;
    private final PrintStream log;

    LoadPoint(HttpClient http, LoadgenOptions o, PrintStream log) {
        this.http = http;
        this.o = o;
        this.log = log;
    }

    record Result(int functions, List<PlannedRequest> trace, List<RequestOutcome> outcomes, PointSummary summary, List<String> warmupErrors) {}

    Result run(int n) throws InterruptedException {
        List<String> functions = new ArrayList<>();
        for (int i = 0; i < n; i++) functions.add(o.functionName(i));
        List<String> warmupErrors = o.warmup() ? warmUp(functions) : List.of();
        List<PlannedRequest> trace = LoadTrace.generate(functions, o.ratePerFunction(), o.seconds(), o.maxSeq(), o.traceSeed());
        List<String> bodies = trace.stream().map(r -> StreamingCall.body(r, o.vocab(), o.traceSeed())).toList();
        log.printf("N=%d: %d requests over %.0f s (%.3f req/s per function), prompt+output <= %d tokens%n", n, trace.size(),
                o.seconds(), o.ratePerFunction(), o.maxSeq());

        PrometheusText before = PrometheusText.scrape(http, o.base());
        long origin = System.nanoTime();
        java.util.function.DoubleSupplier clock = () -> (System.nanoTime() - origin) / 1e9;
        Duration timeout = Duration.ofMillis((long) ((o.seconds() + o.drainSeconds() + 60) * 1000));
        List<StreamingCall> calls = new ArrayList<>(trace.size());
        List<CompletableFuture<RequestOutcome>> futures = new ArrayList<>(trace.size());
        dev.aegaeon.bench.ProgressLine progress = new dev.aegaeon.bench.ProgressLine(log, "N=" + n + " requests");
        for (int i = 0; i < trace.size(); i++) {
            PlannedRequest r = trace.get(i);
            long waitNanos = (long) (r.arrivalSeconds() * 1e9) - (System.nanoTime() - origin);
            if (waitNanos > 0) TimeUnit.NANOSECONDS.sleep(waitNanos);
            StreamingCall c = new StreamingCall(r, clock);
            calls.add(c);
            futures.add(c.start(http, o.base(), bodies.get(i), timeout));
            progress.update(i + 1, trace.size(), () -> "sent; " + finished(futures) + " finished");
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        double drainEnd = o.seconds() + o.drainSeconds();
        try {
            // waits in steps of a second to keep the progress line moving while requests drain
            while (true) {
                double left = drainEnd - clock.getAsDouble();
                try {
                    all.get((long) Math.max(0, Math.min(left, 1.0) * 1000), TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException step) {
                    if (left <= 1.0) throw step;
                    progress.update(finished(futures), trace.size(), "finished; draining");
                }
            }
            progress.finish(finished(futures), trace.size(), "finished");
        } catch (TimeoutException e) {
            progress.finish(finished(futures), trace.size(), "finished at the drain's end");
            log.printf("N=%d: drain of %.0f s over, cancelling %d straggler(s)%n", n, o.drainSeconds(),
                    futures.stream().filter(f -> !f.isDone()).count());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a request future failed unexpectedly", e);
        }
        double reportAt = clock.getAsDouble();
        for (int i = 0; i < calls.size(); i++) if (!futures.get(i).isDone()) calls.get(i).cancel();
        List<RequestOutcome> outcomes = futures.stream().map(CompletableFuture::join).toList();
        PrometheusText after = PrometheusText.scrape(http, o.base());
        PointSummary s = PointSummary.of(n, outcomes, new SloTargets(o.ttftSeconds(), o.tpotSeconds()), o.seconds(), reportAt, before, after);
        return new Result(n, trace, outcomes, s, warmupErrors);
    }

    private static long finished(List<CompletableFuture<RequestOutcome>> futures) {
        return futures.stream().filter(CompletableFuture::isDone).count();
    }

    /**
     * One short request per function, not measured, so the first measured request of each does not
     * pay a cold start. Bounded: whatever has not answered after {@link #WARMUP_LIMIT_SECONDS} is
     * cancelled and reported.
     */
    private List<String> warmUp(List<String> functions) throws InterruptedException {
        long origin = System.nanoTime();
        java.util.function.DoubleSupplier clock = () -> (System.nanoTime() - origin) / 1e9;
        List<StreamingCall> calls = new ArrayList<>();
        List<CompletableFuture<RequestOutcome>> fs = new ArrayList<>();
        for (int i = 0; i < functions.size(); i++) {
            PlannedRequest r = new PlannedRequest(1_000_000 + i, functions.get(i), 0, Math.min(8, o.maxSeq() - 1), 2);
            StreamingCall c = new StreamingCall(r, clock);
            calls.add(c);
            fs.add(c.start(http, o.base(), StreamingCall.body(r, o.vocab(), o.traceSeed()), Duration.ofSeconds((long) WARMUP_LIMIT_SECONDS)));
        }
        try {
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get((long) WARMUP_LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            for (int i = 0; i < calls.size(); i++) if (!fs.get(i).isDone()) calls.get(i).cancel();
        }
        List<String> errors = new ArrayList<>();
        for (var f : fs) {
            RequestOutcome out = f.join();
            if (!out.ok()) errors.add(out.planned().function() + ": " + (out.cancelled() ? "no answer within " + WARMUP_LIMIT_SECONDS + " s" : out.error()));
        }
        log.printf("warm-up of %d function(s) took %.1f s%s%n", functions.size(), clock.getAsDouble(),
                errors.isEmpty() ? "" : ", failures: " + errors);
        return errors;
    }
}
