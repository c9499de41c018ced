package dev.aegaeon.runtime.hub;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Logs a download's progress as a line every {@code intervalNanos} at most (percent, megabytes and
 * rate since the previous line), not one per chunk, and passes every update on.
 */
public final class ProgressLog implements DownloadProgress {
    private static final System.Logger LOG = System.getLogger(ProgressLog.class.getName());

    private final String what;
    private final DownloadProgress next;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final java.util.function.Consumer<String> out;
    private long lastLogNanos;
    private long lastLogBytes = -1;
    private boolean finished;

    public ProgressLog(String what, DownloadProgress next, long intervalNanos, LongSupplier clock,
            java.util.function.Consumer<String> out) {
        this.what = what;
        this.out = out;
        this.next = next;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.lastLogNanos = clock.getAsLong();
    }

    /** A line every 5 seconds. */
    public static ProgressLog every5s(String what, DownloadProgress next) {
        return new ProgressLog(what, next, 5_000_000_000L, System::nanoTime, line -> LOG.log(System.Logger.Level.INFO, line));
    }

    @Override
    public synchronized void update(long done, long total) {
        next.update(done, total);
        long now = clock.getAsLong();
        if (lastLogBytes < 0) lastLogBytes = done;
        if (now - lastLogNanos < intervalNanos && done < total) return;
        if (finished || (done == lastLogBytes && done < total)) return;
        finished = done >= total;
        out.accept(line(done, total, (done - lastLogBytes) / Math.max(1e-9, (now - lastLogNanos) / 1e9)));
        lastLogNanos = now;
        lastLogBytes = done;
    }

    String line(long done, long total, double bytesPerSecond) {
        double pct = total <= 0 ? 100 : 100.0 * done / total;
        return String.format(Locale.ROOT, "downloading %s: %.0f%% (%.1f of %.1f MB) at %.1f MB/s", what, pct, done / 1e6,
                total / 1e6, bytesPerSecond / 1e6);
    }
}
