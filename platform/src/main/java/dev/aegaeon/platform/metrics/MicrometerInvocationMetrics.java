package dev.aegaeon.platform.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.FunctionStatus;
import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.platform.invoke.InvocationMetrics;
import dev.aegaeon.platform.invoke.InvocationService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The platform's metrics, every one labelled {@code function}: TTFT and inter-token latency
 * histograms, admission overhead, invocations by outcome, requests running and waiting, model
 * switches and load seconds, KV usage, and SLO attainment (mean score of finished invocations).
 * Prometheus names: {@code aegaeon_ttft_seconds}, {@code aegaeon_inter_token_latency_seconds},
 * {@code aegaeon_requests_running}, {@code aegaeon_requests_waiting}, {@code aegaeon_model_switches_total},
 * {@code aegaeon_model_load_seconds_total}, {@code aegaeon_kv_cache_usage_ratio},
 * {@code aegaeon_slo_attainment_ratio}, {@code aegaeon_invocations_total}; and beside them the same
 * measurements under vLLM's names and {@code model_name} label ({@link VllmMeters}).
 */
public final class MicrometerInvocationMetrics implements InvocationMetrics {
    /** The window of the "recent" figures the dashboard shows; the Prometheus series keep their own. */
    public static final Duration RECENT = Duration.ofMinutes(2);
    private static final int RECENT_BUCKETS = 4;
    private final MeterRegistry registry;
    private final Map<String, PerFunction> functions = new ConcurrentHashMap<>();

    private static final class PerFunction {
        Timer ttft, itl, overhead, kafkaResult;
        final DoubleAdder sloSum = new DoubleAdder();
        final LongAdder sloCount = new LongAdder();
        RollingMean recentSlo;
        final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
        final List<Meter> meters = new ArrayList<>();
        VllmMeters vllm;
    }

    public MicrometerInvocationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the function's meters; gauges read the service and backend at scrape time. */
    public void register(String function, InvocationService service, InferenceBackend backend) {
        functions.computeIfAbsent(function, f -> {
            PerFunction p = new PerFunction();
            p.recentSlo = new RollingMean(registry.config().clock(), RECENT, RECENT_BUCKETS);
            p.ttft = latency("aegaeon.ttft", "Time from arrival to the first token", f);
            p.itl = latency("aegaeon.inter.token.latency", "Time between consecutive tokens", f);
            p.overhead = Timer.builder("aegaeon.admission.overhead")
                    .description("Platform time from HTTP/Kafka arrival to the backend submit").tag("function", f)
                    .publishPercentiles(0.5, 0.99).percentilePrecision(2).publishPercentileHistogram()
                    .distributionStatisticExpiry(Duration.ofMinutes(10)).distributionStatisticBufferLength(2)
                    .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
            p.kafkaResult = Timer.builder("aegaeon.kafka.result.overhead")
                    .description("Platform time from the last token to handing the Kafka result record to the producer")
                    .tag("function", f).publishPercentiles(0.5, 0.99).percentilePrecision(2).publishPercentileHistogram()
                    .distributionStatisticExpiry(Duration.ofMinutes(10)).distributionStatisticBufferLength(2)
                    .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
            p.meters.addAll(List.of(p.ttft, p.itl, p.overhead, p.kafkaResult));
            p.vllm = new VllmMeters(registry, f, service);
            p.meters.add(Gauge.builder("aegaeon.requests.running", service, s -> s.traffic(f).map(t -> t.running()).orElse(0))
                    .description("Invocations at the backend").tag("function", f).register(registry));
            p.meters.add(Gauge.builder("aegaeon.requests.waiting", service, s -> s.traffic(f).map(t -> t.waiting()).orElse(0))
                    .description("Invocations waiting for admission").tag("function", f).register(registry));
            p.meters.add(FunctionCounter.builder("aegaeon.model.switches", backend, status(f, FunctionStatus::switches))
                    .description("Times the model was brought onto a device").tag("function", f).register(registry));
            p.meters.add(FunctionCounter.builder("aegaeon.model.load.seconds", backend, status(f, FunctionStatus::loadSeconds))
                    .description("Seconds spent loading the model").tag("function", f).register(registry));
            p.meters.add(Gauge.builder("aegaeon.kv.cache.usage", backend, status(f, FunctionStatus::kvUsage))
                    .description("Share of KV-cache blocks held").baseUnit("ratio").tag("function", f).register(registry));
            p.meters.add(Gauge.builder("aegaeon.kv.cache.blocks.used", backend, status(f, FunctionStatus::kvBlocksUsed))
                    .description("KV-cache blocks held").tag("function", f).register(registry));
            p.meters.add(Gauge.builder("aegaeon.slo.attainment", p, x -> x.sloCount.sum() == 0 ? 1.0 : x.sloSum.sum() / x.sloCount.sum())
                    .description("Mean SLO score of finished invocations (share of tokens meeting their deadline)")
                    .baseUnit("ratio").tag("function", f).register(registry));
            return p;
        });
    }

    public void unregister(String function) {
        PerFunction p = functions.remove(function);
        if (p == null) return;
        p.meters.forEach(registry::remove);
        p.outcomes.values().forEach(registry::remove);
        p.vllm.remove();
    }

    /** Mean SLO score so far, or empty before the first finished invocation. */
    public java.util.OptionalDouble sloAttainment(String function) {
        PerFunction p = functions.get(function);
        if (p == null || p.sloCount.sum() == 0) return java.util.OptionalDouble.empty();
        return java.util.OptionalDouble.of(p.sloSum.sum() / p.sloCount.sum());
    }

    /** Mean SLO score over about the last {@link #RECENT}, or empty when nothing finished in it. */
    public java.util.OptionalDouble recentSloAttainment(String function) {
        PerFunction p = functions.get(function);
        double m = p == null ? Double.NaN : p.recentSlo.mean();
        return Double.isNaN(m) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(m);
    }

    /**
     * The median and 99th percentile of the function's time to first token and time between tokens,
     * in seconds, over about the last {@link #RECENT} (Micrometer's rotating percentile window);
     * empty arrays when nothing was observed in that window or for an unknown function.
     */
    public Latencies recentLatencies(String function) {
        PerFunction p = functions.get(function);
        if (p == null) return new Latencies(new double[0], new double[0]);
        return new Latencies(recent(p.ttft), recent(p.itl));
    }

    /** {p50, p99} in seconds, or empty when nothing was observed; the order of {@link #RECENT_QUANTILES}. */
    public record Latencies(double[] ttft, double[] timeBetweenTokens) {}

    private static final double[] RECENT_QUANTILES = {0.5, 0.99};

    private static double[] recent(Timer t) {
        var h = t.takeSnapshot();
        double[] out = new double[RECENT_QUANTILES.length];
        boolean any = false;
        for (var v : h.percentileValues()) {
            for (int i = 0; i < out.length; i++) {
                if (v.percentile() == RECENT_QUANTILES[i]) out[i] = v.value(java.util.concurrent.TimeUnit.SECONDS);
            }
            any |= v.value() > 0;
        }
        return any ? out : new double[0];
    }

    private Timer latency(String name, String description, String function) {
        return Timer.builder(name).description(description).tag("function", function)
                .publishPercentileHistogram()
                .publishPercentiles(RECENT_QUANTILES).percentilePrecision(2)
                .distributionStatisticExpiry(RECENT).distributionStatisticBufferLength(RECENT_BUCKETS)
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    private static ToDoubleFunction<InferenceBackend> status(String f, ToDoubleFunction<FunctionStatus> field) {
        return b -> {
            try {
                return field.applyAsDouble(b.status(f));
            } catch (BackendException.UnknownFunction e) {
                return 0;
            }
        };
    }

    @Override
    public void timeToFirstToken(String function, long nanos) {
        PerFunction p = functions.get(function);
        if (p == null) return;
        p.ttft.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        p.vllm.ttft.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void interTokenLatency(String function, long nanos) {
        PerFunction p = functions.get(function);
        if (p == null) return;
        p.itl.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        p.vllm.itl.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void admissionOverhead(String function, long nanos) {
        PerFunction p = functions.get(function);
        if (p != null) p.overhead.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Last token to the Kafka result record handed to the producer (the Kafka front door reports it). */
    public void kafkaResultOverhead(String function, long nanos) {
        PerFunction p = functions.get(function);
        if (p != null) p.kafkaResult.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void completed(String function, int promptTokens, int completionTokens, long e2eNanos) {
        PerFunction p = functions.get(function);
        if (p != null) p.vllm.completed(promptTokens, completionTokens, e2eNanos);
    }

    @Override
    public void queueTime(String function, long nanos) {
        PerFunction p = functions.get(function);
        if (p != null) p.vllm.queue.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void refused(String function, String reason) {
        PerFunction p = functions.get(function);
        if (p != null) p.vllm.refused(reason);
    }

    @Override
    public void sloScore(String function, double score) {
        PerFunction p = functions.get(function);
        if (p == null) return;
        p.sloSum.add(score);
        p.sloCount.increment();
        p.recentSlo.add(score);
    }

    @Override
    public void finished(String function, String outcome) {
        PerFunction p = functions.get(function);
        if (p == null) return;
        p.outcomes.computeIfAbsent(outcome, o -> Counter.builder("aegaeon.invocations")
                .description("Finished or refused invocations by outcome").tag("function", function).tag("outcome", o)
                .register(registry)).increment();
    }
}
