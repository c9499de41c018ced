package dev.aegaeon.functions;

import java.time.Duration;

/**
 * Latency targets: token k of an invocation is due at {@code arrival + ttft + k * tpot}
 * (the paper's deadline chain). Both are positive.
 */
public record Slo(Duration ttft, Duration tpot) {
    public static final Slo DEFAULT = new Slo(Duration.ofSeconds(10), Duration.ofMillis(100));
}
