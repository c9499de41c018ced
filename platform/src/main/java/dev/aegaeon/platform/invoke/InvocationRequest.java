package dev.aegaeon.platform.invoke;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.aegaeon.platform.engine.Prompt;

/**
 * One invocation as every front door hands it over, already parsed but not yet checked against the
 * function's limits.
 *
 * @param maxTokens empty means the front door's default (OpenAI: 16 for completions, the function's
 *     limit for chat) which it passes as {@code defaultMaxTokens}
 * @param arrivalNanos {@link System#nanoTime()} when the request arrived (TTFT and SLO start here)
 * @param timeout empty = the service's default deadline
 * @param apiKey the key the caller presented, if any
 * @param id a caller-chosen id (the Kafka record key) or empty for a fresh one
 */
public record InvocationRequest(String function, Prompt prompt, Optional<Integer> maxTokens, int defaultMaxTokens,
        double temperature, double topP, List<String> stop, OptionalLong seed, long arrivalNanos,
        Optional<Duration> timeout, Optional<String> apiKey, Optional<String> id) {
}
