package dev.aegaeon.platform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.Limits;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.platform.engine.TrivialEngine;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.invoke.InvocationRequest;
import dev.aegaeon.platform.invoke.InvocationService;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/** The scrape carries vLLM's metric names and {@code model_name} label, with the values a real invocation produced. */
class VllmMetricNamesTest {
    @Test
    void aFinishedAndARefusedInvocationShowUpUnderVllmNames() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerInvocationMetrics metrics = new MicrometerInvocationMetrics(registry);
        try (TrivialEngine engine = new TrivialEngine();
             InvocationService service = new InvocationService(engine, metrics, 8, Duration.ofSeconds(30))) {
            service.register(new FunctionSpec("f", new ModelSource.Synthetic("echo", 1, Duration.ofMillis(1)), null, null,
                    new Limits(100, 100, 1, 1), Optional.empty()));
            metrics.register("f", service, engine);
            CompletableFuture<Usage> done = new CompletableFuture<>();
            service.start(request(5), new InvocationObserver() {
                public void onToken(int index, String text, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {}

                public void onComplete(FinishReason reason, Usage usage) {
                    done.complete(usage);
                }

                public void onError(InvocationError error) {
                    done.completeExceptionally(new AssertionError(error.message()));
                }
            });
            Usage usage = done.get(10, TimeUnit.SECONDS);
            assertThrows(InvocationRejected.class, () -> service.start(request(1000), null)); // max_tokens over the limit

            String scrape = registry.scrape().replace(",}", "}"); // the 0.0.4 text format may end labels with a comma
            assertEquals(usage.promptTokens(), value(scrape, "vllm:prompt_tokens_total{model_name=\"f\"}"), scrape);
            assertEquals(5, value(scrape, "vllm:generation_tokens_total{model_name=\"f\"}"), scrape);
            assertEquals(1, value(scrape, "vllm:e2e_request_latency_seconds_count{model_name=\"f\"}"), scrape);
            assertEquals(1, value(scrape, "vllm:request_queue_time_seconds_count{model_name=\"f\"}"), scrape);
            assertEquals(1, value(scrape, "vllm:time_to_first_token_seconds_count{model_name=\"f\"}"), scrape);
            assertEquals(4, value(scrape, "vllm:inter_token_latency_seconds_count{model_name=\"f\"}"), scrape);
            assertTrue(scrape.contains("vllm:e2e_request_latency_seconds_bucket{model_name=\"f\",le="), scrape);
            assertEquals(0, value(scrape, "vllm:num_requests_running{model_name=\"f\"}"), scrape);
            assertEquals(1, value(scrape, "aegaeon_requests_refused_total{model_name=\"f\",reason=\"invalid_value\"}"), scrape);
        }
    }

    private static InvocationRequest request(int maxTokens) {
        return new InvocationRequest("f", new Prompt.Text("hello"), Optional.of(maxTokens), 16,
                dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static double value(String scrape, String series) {
        for (String line : scrape.split("\n"))
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        return Double.NaN;
    }
}
