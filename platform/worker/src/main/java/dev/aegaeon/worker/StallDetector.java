package dev.aegaeon.worker;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Watches the scheduler's instances for stalls: an instance that has requests to serve and saw no
 * decision issued and no completion for longer than {@code boundSeconds}. A healthy instance with
 * work always has a step, load or swap outstanding, or gets one on the next event, so a long silence
 * means a request is stranded (or the device hangs: {@link Stall#outstanding} tells which).
 *
 * <p>Each stall is reported once, until the instance shows activity again. Not thread-safe: the
 * scheduler loop's thread feeds and checks it. Time is the pool's clock, in seconds.
 */
final class StallDetector {
    /** What a stalled instance looked like when it was found. */
    record Stall(int instance, int work, int outstanding, double silentSeconds, String lastDecision) {}

    private final double boundSeconds;
    private final double[] lastActivity;
    private final int[] outstanding;
    private final String[] lastDecision;
    private final boolean[] reported;
    private final boolean[] hadWork;
    private double lastCheck;

    StallDetector(int instances, double boundSeconds, double now) {
        if (!(boundSeconds > 0)) throw new IllegalArgumentException("stall bound must be positive, got " + boundSeconds);
        this.boundSeconds = boundSeconds;
        lastActivity = new double[instances];
        outstanding = new int[instances];
        lastDecision = new String[instances];
        reported = new boolean[instances];
        hadWork = new boolean[instances];
        Arrays.fill(lastActivity, now);
        Arrays.fill(lastDecision, "none");
        lastCheck = now;
    }

    /** A decision went to the executor; evictions complete at once, the others with an event. */
    void issued(Decision d, double now) {
        int i = d.instance();
        if (i < 0 || i >= lastActivity.length) return;
        if (!(d instanceof Decision.EvictModel)) outstanding[i]++;
        lastDecision[i] = d.getClass().getSimpleName();
        active(i, now);
    }

    /** A completion came back from the executor (arrivals and cancellations name no instance). */
    void completed(Event e, double now) {
        int i = switch (e) {
            case Event.PrefillDone p -> p.instance();
            case Event.DecodeStepDone d -> d.instance();
            case Event.LoadDone l -> l.instance();
            case Event.SwapDone s -> s.instance();
            case Event.Arrival a -> -1;
            case Event.Cancel c -> -1;
        };
        if (i < 0 || i >= lastActivity.length) return;
        outstanding[i] = Math.max(0, outstanding[i] - 1);
        active(i, now);
    }

    private void active(int i, double now) {
        lastActivity[i] = now;
        reported[i] = false;
    }

    /**
     * The instances newly found stalled. Silence counts from the later of the last activity and the
     * last check that found the instance without work (work may arrive without naming an instance).
     */
    List<Stall> check(double now, IntUnaryOperator work) {
        List<Stall> found = new ArrayList<>();
        for (int i = 0; i < lastActivity.length; i++) {
            int w = work.applyAsInt(i);
            if (w > 0 && !hadWork[i]) lastActivity[i] = Math.max(lastActivity[i], lastCheck);
            hadWork[i] = w > 0;
            double silent = now - lastActivity[i];
            if (w > 0 && silent > boundSeconds && !reported[i]) {
                reported[i] = true;
                found.add(new Stall(i, w, outstanding[i], silent, lastDecision[i]));
            }
        }
        lastCheck = now;
        return found;
    }
}
