package dev.aegaeon.scheduler;

/**
 * A function's latency objectives as the scheduler computes with them: time to first token and
 * time per output token, in seconds. Token k of a request is due at
 * {@code arrival + ttft + k * tpot} (see {@link SloLedger}). The user-facing form a function
 * declares is {@code dev.aegaeon.functions.Slo}; the platform converts it to these targets.
 */
public record SloTargets(double ttftSeconds, double tpotSeconds) {
    public static final SloTargets PAPER_DEFAULT = new SloTargets(10.0, 0.1);

    public SloTargets {
        if (!(ttftSeconds > 0) || !(tpotSeconds > 0) || Double.isInfinite(ttftSeconds) || Double.isInfinite(tpotSeconds)) {
            throw new IllegalArgumentException("SLO times must be positive and finite: ttft=" + ttftSeconds + " tpot=" + tpotSeconds);
        }
    }

    /** The same objectives scaled, e.g. 0.5x and 0.3x as in the paper's tighter settings. */
    public SloTargets scaled(double factor) {
        return new SloTargets(ttftSeconds * factor, tpotSeconds * factor);
    }
}
