package dev.aegaeon.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line for a long run, for a person watching: rewritten in place ({@code \r}) at
 * most once a second on a terminal, a plain line at most every 15 seconds otherwise (a log file
 * or CI), never one line per event. Thread-safe.
 */
public final class ProgressLine {
    private final PrintStream out;
    private final String label;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastNanos;
    private int lastWidth;

    public ProgressLine(PrintStream out, String label) {
        this(out, label, System.console() != null && out == System.out || System.console() != null && out == System.err);
    }

    ProgressLine(PrintStream out, String label, boolean terminal) {
        this.out = out;
        this.label = label;
        this.terminal = terminal;
        this.lastNanos = startNanos - (long) 1e9 * 60; // the first update shows at once
    }

    /** {@code done} of {@code total} (total 0 when unknown) with a free-form detail; printed when due. */
    public synchronized void update(long done, long total, String detail) {
        long now = System.nanoTime();
        if (now - lastNanos < (terminal ? 1_000_000_000L : 15_000_000_000L)) return;
        lastNanos = now;
        print(line(done, total, detail, (now - startNanos) / 1e9), false);
    }

    /** As {@link #update(long, long, String)}, the detail computed only when the line is due. */
    public void update(long done, long total, java.util.function.Supplier<String> detail) {
        long now = System.nanoTime();
        synchronized (this) {
            if (now - lastNanos < (terminal ? 1_000_000_000L : 15_000_000_000L)) return;
        }
        update(done, total, detail.get());
    }

    /** The final state, always printed, ending the line. */
    public synchronized void finish(long done, long total, String detail) {
        print(line(done, total, detail, (System.nanoTime() - startNanos) / 1e9), true);
    }

    static String line(String label, long done, long total, String detail, double seconds) {
        StringBuilder b = new StringBuilder(label).append(": ");
        if (total > 0) b.append(String.format(Locale.ROOT, "%.0f%% (%d/%d)", 100.0 * done / total, done, total));
        else b.append(done);
        b.append(String.format(Locale.ROOT, ", %s elapsed", clock(seconds)));
        if (total > 0 && done > 0 && done < total) b.append(", eta ").append(clock(seconds * (total - done) / done));
        if (detail != null && !detail.isEmpty()) b.append(", ").append(detail);
        return b.toString();
    }

    private String line(long done, long total, String detail, double seconds) { return line(label, done, total, detail, seconds); }

    private static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    private void print(String text, boolean end) {
        if (terminal) {
            String pad = text.length() < lastWidth ? " ".repeat(lastWidth - text.length()) : "";
            out.print("\r" + text + pad + (end ? "\n" : ""));
            lastWidth = end ? 0 : text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }
}
