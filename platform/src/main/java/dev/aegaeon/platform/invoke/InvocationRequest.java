package dev.aegaeon.platform.invoke;

import java.time.Duration;
import java.util.Optional;

import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.runtime.engine.SamplingParams;

/**
 * One invocation as every front door hands it over, already parsed but not yet checked against the
 * function's limits.
 *
 * @param maxTokens empty means the front door's default (OpenAI: 16 for completions, the function's
 *     limit for chat) which it passes as {@code defaultMaxTokens}
 * @param sampling everything else about sampling; its {@code maxTokens} is replaced by the service's
 *     choice from the two above
 * @param arrivalNanos {@link System#nanoTime()} when the request arrived (TTFT and SLO start here)
 * @param timeout empty = the service's default deadline
 * @param apiKey the key the caller presented, if any
 * @param id a caller-chosen id (the Kafka record key) or empty for a fresh one
 */
public record InvocationRequest(String function, Prompt prompt, Optional<Integer> maxTokens, int defaultMaxTokens,
        SamplingParams sampling, long arrivalNanos,
        Optional<Duration> timeout, Optional<String> apiKey, Optional<String> id) {
}
