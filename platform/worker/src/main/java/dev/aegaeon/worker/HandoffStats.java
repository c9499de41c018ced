package dev.aegaeon.worker;

import java.util.Arrays;

/**
 * KV hand-offs of a disaggregated pool. For each request that went on to decode it records two
 * durations: the whole hand-off, from the end of its prefill on a prefill device to its KV being
 * resident on its decode device (swap-out or detach, waiting for the decode device, swap-in or
 * adoption), and the copy alone, the time the two devices spent moving that request's KV (device to
 * host and back through pinned memory, or device to device). Keeps the most recent {@link #WINDOW}
 * samples of each for the percentiles; count, sum and max cover every hand-off. Thread-safe.
 */
public final class HandoffStats {
    static final int WINDOW = 1 << 16;

    /**
     * A snapshot. Percentiles are of the recent window; all values are NaN (count 0) before the
     * first hand-off.
     */
    public record Summary(long count, double totalSeconds, double meanSeconds, double p50Seconds, double p99Seconds,
                          double maxSeconds) {}

    private final Samples whole = new Samples();
    private final Samples copies = new Samples();

    /** One hand-off: its seconds from prefill done to resident, and the part of them spent copying. */
    synchronized void record(double seconds, double copySeconds) {
        whole.add(seconds);
        copies.add(copySeconds);
    }

    /** The whole hand-offs: prefill done to KV resident on the decode device. */
    public synchronized Summary summary() { return whole.summary(); }

    /** The copies alone: the seconds each hand-off's KV spent moving between devices. */
    public synchronized Summary copySummary() { return copies.summary(); }

    private static final class Samples {
        private final double[] window = new double[WINDOW];
        private long count;
        private double total;
        private double max;

        void add(double seconds) {
            window[(int) (count % WINDOW)] = seconds;
            count++;
            total += seconds;
            max = Math.max(max, seconds);
        }

        Summary summary() {
            if (count == 0) return new Summary(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            double[] recent = Arrays.copyOf(window, (int) Math.min(count, WINDOW));
            Arrays.sort(recent);
            return new Summary(count, total, total / count, quantile(recent, 0.50), quantile(recent, 0.99), max);
        }
    }

    /** Nearest-rank quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
