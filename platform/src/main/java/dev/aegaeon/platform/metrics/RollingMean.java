package dev.aegaeon.platform.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Clock;

/**
 * The mean of the values recorded in roughly the last {@code window}: the window is cut into
 * {@code buckets} equal slices that rotate with the clock, so a value counts for between
 * {@code window * (buckets - 1) / buckets} and {@code window} after it was recorded. An operator's
 * view wants "now", which a mean since start stops showing after the first busy hour.
 * Thread-safe (synchronized: one add per finished invocation).
 */
final class RollingMean {
    private final Clock clock;
    private final long sliceNanos;
    private final double[] sums;
    private final long[] counts;
    private long currentSlice;

    RollingMean(Clock clock, Duration window, int buckets) {
        if (buckets < 2) throw new IllegalArgumentException("a rolling window needs at least 2 buckets, got " + buckets);
        this.clock = clock;
        this.sliceNanos = Math.max(1, window.toNanos() / buckets);
        this.sums = new double[buckets];
        this.counts = new long[buckets];
        this.currentSlice = clock.monotonicTime() / sliceNanos;
    }

    synchronized void add(double value) {
        rotate();
        int i = (int) (currentSlice % sums.length);
        sums[i] += value;
        counts[i]++;
    }

    /** The mean over the window, or NaN when nothing was recorded in it. */
    synchronized double mean() {
        rotate();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < sums.length; i++) {
            sum += sums[i];
            count += counts[i];
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private void rotate() {
        long now = clock.monotonicTime() / sliceNanos;
        for (long s = currentSlice + 1; s <= now && s <= currentSlice + sums.length; s++) {
            int i = (int) (s % sums.length);
            sums[i] = 0;
            counts[i] = 0;
        }
        currentSlice = Math.max(currentSlice, now);
    }
}
