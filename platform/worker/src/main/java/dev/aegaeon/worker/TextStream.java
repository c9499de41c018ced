package dev.aegaeon.worker;

import dev.aegaeon.runtime.tokenizer.IncrementalDecoder;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import java.util.List;

/**
 * One request's generated text as streaming deltas: ids go through the tokenizer's
 * {@link IncrementalDecoder}; stop strings are matched on the accumulated text, and a tail that
 * could still become a stop string is held back, so the text of a stop string is never delivered.
 * Invariant: the concatenation of all deltas equals the full decoded text cut before the first
 * stop string. Without a tokenizer every delta is empty. Not thread-safe (one worker thread).
 */
final class TextStream {
    private final IncrementalDecoder decoder;
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int delivered;
    private boolean stopped;

    TextStream(TextTokenizer tokenizer, List<String> stopStrings) {
        this.decoder = tokenizer == null ? null : tokenizer.incrementalDecoder(true);
        this.stops = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds one generated id; returns the text that may be delivered now. */
    String next(int id) {
        if (decoder == null || stopped) return "";
        text.append(decoder.next(id));
        return release(false);
    }

    /** The sequence ended: everything still held back (unless a stop string cut the text). */
    String finish() {
        if (decoder == null || stopped) return "";
        text.append(decoder.finish());
        return release(true);
    }

    /** True once a stop string matched: the request must end now. */
    boolean stopped() { return stopped; }

    private String release(boolean end) {
        int cut = firstStop();
        int upTo;
        if (cut >= 0) {
            stopped = true;
            upTo = Math.max(delivered, cut);
        } else {
            upTo = end ? text.length() : text.length() - heldBack();
        }
        if (upTo <= delivered) return "";
        String delta = text.substring(delivered, upTo);
        delivered = upTo;
        return delta;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stops) {
            int at = text.indexOf(s, Math.max(0, delivered - s.length() + 1));
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** Length of the longest tail of the text that is a proper prefix of some stop string. */
    private int heldBack() {
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length() - delivered); k > hold; k--) {
                if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
