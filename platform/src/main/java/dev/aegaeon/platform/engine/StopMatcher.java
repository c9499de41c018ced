package dev.aegaeon.platform.engine;

import java.util.List;

/**
 * Applies OpenAI stop strings to a stream of text pieces: text that might be the start of a stop
 * string is held back until it is known not to be one, and the stop string itself never reaches
 * the caller. Not thread-safe: one instance per generation, fed in order.
 */
public final class StopMatcher {
    private final List<String> stops;
    private final int longest;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Whether a stop string has been seen; after that, {@link #accept} returns "" only. */
    public boolean stopped() {
        return stopped;
    }

    /** Feeds one piece; returns the text now safe to emit. */
    public String accept(String piece) {
        if (stopped) return "";
        if (longest == 0) return piece;
        pending.append(piece);
        int cut = firstStopIndex();
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        // Keep the longest suffix that is a prefix of some stop string; emit the rest.
        int keep = heldBackLength();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** At the end of generation: whatever was held back is ordinary text. */
    public String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    private int firstStopIndex() {
        int best = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    private int heldBackLength() {
        int max = Math.min(longest - 1, pending.length());
        for (int k = max; k > 0; k--) {
            String suffix = pending.substring(pending.length() - k);
            for (String s : stops) if (s.startsWith(suffix)) return k;
        }
        return 0;
    }
}
