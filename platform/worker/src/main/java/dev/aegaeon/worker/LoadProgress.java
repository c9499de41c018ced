package dev.aegaeon.worker;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far one transfer of a model's weights has got: a copy onto a device (a load), or a
 * download into a model root ({@link Phase#DOWNLOAD}, for a fetcher that reports through
 * {@link ModelPool#trackDownload}). Advanced by the thread doing the transfer; read by anyone.
 * A load logs a progress line every few seconds while it lasts, never per tensor; a download's
 * fetcher logs its own.
 */
public final class LoadProgress {
    private static final System.Logger LOG = System.getLogger(LoadProgress.class.getName());
    private static final long LOG_EVERY_NANOS = 3_000_000_000L;

    public enum Phase { DOWNLOAD, LOAD }

    /**
     * A reading of a transfer.
     *
     * @param device         the device loaded onto; -1 for a download
     * @param percent        0..100
     * @param bytesPerSecond average since the transfer started
     */
    public record Snapshot(String model, Phase phase, int device, long doneBytes, long totalBytes, double percent,
                           double bytesPerSecond, double seconds) {}

    private final String model;
    private final Phase phase;
    private final int device;
    private final long totalBytes;
    /** Bytes already in place when the transfer began (a resumed download): they count towards the percent, not the rate. */
    private final long presentBytes;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private volatile long lastLogNanos = startNanos;

    public LoadProgress(String model, Phase phase, int device, long totalBytes) {
        this(model, phase, device, totalBytes, 0);
    }

    public LoadProgress(String model, Phase phase, int device, long totalBytes, long presentBytes) {
        this.model = model;
        this.phase = phase;
        this.device = device;
        this.totalBytes = Math.max(0, totalBytes);
        this.presentBytes = Math.max(0, presentBytes);
    }

    /** {@code bytes} more were transferred. */
    public void advance(long bytes) {
        done.addAndGet(bytes);
        if (phase != Phase.LOAD) return;
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            LOG.log(System.Logger.Level.INFO, describe());
        }
    }

    public Snapshot snapshot() {
        long moved = done.get(), d = presentBytes + moved;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double percent = totalBytes == 0 ? 0 : Math.min(100, 100.0 * d / totalBytes);
        return new Snapshot(model, phase, device, d, totalBytes, percent, seconds > 0 ? moved / seconds : 0, seconds);
    }

    /** "loading m onto device 0: 45% (6.7 of 15.0 GiB, 12.3 GiB/s)". */
    public String describe() {
        Snapshot s = snapshot();
        String what = phase == Phase.LOAD ? "loading " + model + " onto device " + device : "downloading " + model;
        return String.format(Locale.ROOT, "%s: %.0f%% (%s of %s, %s/s)", what, s.percent(), bytes(s.doneBytes()), bytes(s.totalBytes()),
                bytes((long) s.bytesPerSecond()));
    }

    /** Logs the end of a load: INFO when it lasted a second or more (a person waited), DEBUG otherwise. */
    void finished() {
        if (phase != Phase.LOAD) return;
        Snapshot s = snapshot();
        LOG.log(s.seconds() >= 1 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                () -> describe() + String.format(Locale.ROOT, " in %.2f s", s.seconds()));
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
