package dev.aegaeon.platform.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.aegaeon.platform.invoke.InvocationService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One function's meters under vLLM's Prometheus names and its {@code model_name} label, so
 * dashboards and autoscalers written for vLLM read the platform unchanged. Scraped names:
 * <ul>
 *   <li>{@code vllm:prompt_tokens_total}, {@code vllm:generation_tokens_total} (counters);</li>
 *   <li>{@code vllm:e2e_request_latency_seconds} (arrival to the last token),
 *       {@code vllm:request_queue_time_seconds} (arrival until the backend takes the request),
 *       {@code vllm:time_to_first_token_seconds}, {@code vllm:inter_token_latency_seconds}
 *       (histograms: {@code _bucket}, {@code _sum}, {@code _count});</li>
 *   <li>{@code vllm:num_requests_running}, {@code vllm:num_requests_waiting} (gauges).</li>
 * </ul>
 * Where vLLM has no name the platform's own follow its pattern: {@code aegaeon_requests_refused_total}
 * with {@code model_name} and {@code reason} (the OpenAI error code: {@code rate_limit_exceeded},
 * {@code context_length_exceeded}, {@code invalid_value}, {@code invalid_api_key}, {@code unavailable}, ...).
 */
final class VllmMeters {
    static final String MODEL_NAME = "model_name";

    private final MeterRegistry registry;
    private final String function;
    final Counter promptTokens, generationTokens;
    final Timer e2e, queue, ttft, itl;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();

    VllmMeters(MeterRegistry registry, String function, InvocationService service) {
        this.registry = registry;
        this.function = function;
        promptTokens = Counter.builder("vllm:prompt_tokens").description("Number of prefill tokens processed.")
                .tag(MODEL_NAME, function).register(registry);
        generationTokens = Counter.builder("vllm:generation_tokens").description("Number of generation tokens processed.")
                .tag(MODEL_NAME, function).register(registry);
        e2e = histogram("vllm:e2e_request_latency", "Histogram of end to end request latency in seconds.");
        queue = histogram("vllm:request_queue_time", "Histogram of time spent in WAITING phase for request.");
        ttft = histogram("vllm:time_to_first_token", "Histogram of time to first token in seconds.");
        itl = histogram("vllm:inter_token_latency", "Histogram of inter-token latency in seconds.");
        meters.addAll(List.of(promptTokens, generationTokens, e2e, queue, ttft, itl));
        meters.add(Gauge.builder("vllm:num_requests_running", service, s -> s.traffic(function).map(t -> t.running()).orElse(0))
                .description("Number of requests in model execution batches.").tag(MODEL_NAME, function).register(registry));
        meters.add(Gauge.builder("vllm:num_requests_waiting", service, s -> s.traffic(function).map(t -> t.waiting()).orElse(0))
                .description("Number of requests waiting to be processed.").tag(MODEL_NAME, function).register(registry));
    }

    private Timer histogram(String name, String description) {
        return Timer.builder(name).description(description).tag(MODEL_NAME, function).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    void completed(int prompt, int generated, long e2eNanos) {
        promptTokens.increment(prompt);
        generationTokens.increment(generated);
        e2e.record(e2eNanos, TimeUnit.NANOSECONDS);
    }

    void refused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("aegaeon.requests.refused")
                .description("Invocations refused before they ran, by reason").tag(MODEL_NAME, function).tag("reason", r)
                .register(registry)).increment();
    }

    void remove() {
        meters.forEach(registry::remove);
        refused.values().forEach(registry::remove);
    }
}
