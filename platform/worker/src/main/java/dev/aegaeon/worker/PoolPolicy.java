package dev.aegaeon.worker;

/** Which scheduler a {@link ModelPool} runs on its device. */
public enum PoolPolicy {
    /** Token-level auto-scaling: {@link dev.aegaeon.scheduler.AegaeonScheduler}. */
    AEGAEON,
    /**
     * Request-level auto-scaling in the ServerlessLLM manner: {@link dev.aegaeon.scheduler.RequestLevelScheduler},
     * which switches models only when the device has no request left (the baseline, run for real).
     */
    REQUEST_LEVEL;

    /** Parses the config spelling: "aegaeon" or "request-level" (case-insensitive). */
    public static PoolPolicy parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "aegaeon" -> AEGAEON;
            case "request-level" -> REQUEST_LEVEL;
            default -> throw new IllegalArgumentException("unknown pool policy \"" + text + "\": use aegaeon or request-level");
        };
    }
}
