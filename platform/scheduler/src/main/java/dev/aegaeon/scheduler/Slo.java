package dev.aegaeon.scheduler;

/**
 * A function's latency objectives: time to first token and time per output token, in seconds.
 * Token k of a request is due at {@code arrival + ttft + k * tpot} (see {@link SloLedger}).
 */
public record Slo(double ttftSeconds, double tpotSeconds) {
    public static final Slo PAPER_DEFAULT = new Slo(10.0, 0.1);

    public Slo {
        if (!(ttftSeconds > 0) || !(tpotSeconds > 0) || Double.isInfinite(ttftSeconds) || Double.isInfinite(tpotSeconds)) {
            throw new IllegalArgumentException("SLO times must be positive and finite: ttft=" + ttftSeconds + " tpot=" + tpotSeconds);
        }
    }

    /** The same objectives scaled, e.g. 0.5x and 0.3x as in the paper's tighter settings. */
    public Slo scaled(double factor) {
        return new Slo(ttftSeconds * factor, tpotSeconds * factor);
    }
}
