package dev.aegaeon.worker;

import java.util.Arrays;

/**
 * KV hand-offs of a disaggregated pool: for each request that went on to decode, the seconds from
 * the end of its prefill on a prefill device to its KV being resident on its decode device (swap-out,
 * waiting for the decode device, swap-in). Keeps the most recent {@link #WINDOW} samples for the
 * percentiles; count, sum and max cover every hand-off. Thread-safe.
 */
public final class HandoffStats {
    static final int WINDOW = 1 << 16;

    /**
     * A snapshot. Percentiles are of the recent window; all values are NaN (count 0) before the
     * first hand-off.
     */
    public record Summary(long count, double totalSeconds, double meanSeconds, double p50Seconds, double p99Seconds,
                          double maxSeconds) {}

    private final double[] window = new double[WINDOW];
    private long count;
    private double total;
    private double max;

    synchronized void record(double seconds) {
        window[(int) (count % WINDOW)] = seconds;
        count++;
        total += seconds;
        max = Math.max(max, seconds);
    }

    public synchronized Summary summary() {
        if (count == 0) return new Summary(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double[] recent = Arrays.copyOf(window, (int) Math.min(count, WINDOW));
        Arrays.sort(recent);
        return new Summary(count, total, total / count, quantile(recent, 0.50), quantile(recent, 0.99), max);
    }

    /** Nearest-rank quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
