package dev.aegaeon.functions;

/**
 * Per-function admission limits. {@code maxConcurrent} invocations run at once; up to
 * {@code maxQueued} more wait; anything beyond is refused (HTTP 429 / an error result on Kafka).
 * A request whose prompt exceeds {@code maxPromptTokens} or asks for more than
 * {@code maxOutputTokens} is rejected before it is queued.
 */
public record Limits(int maxPromptTokens, int maxOutputTokens, int maxConcurrent, int maxQueued) {
    public static final Limits DEFAULT = new Limits(4096, 1024, 64, 256);
}
