package dev.aegaeon.runtime.engine;

import java.util.Arrays;

/** Appends a sampled token and decides whether the sequence stops (stop id, stop string, length). */
final class StopConditions {
    private StopConditions() {}

    /** @return the finish reason if {@code token} ended the sequence, else null */
    static FinishReason advance(Sequence s, int token, TokenDecoder decoder) {
        s.append(token);
        SamplingParams p = s.params();
        boolean stopToken = p.stopTokenIds().contains(token);
        if (decoder != null) {
            int[] ids = s.generatedIds();
            String text = decoder.decode(stopToken ? Arrays.copyOf(ids, ids.length - 1) : ids);
            int cut = firstStop(text, p);
            s.setText(cut >= 0 ? text.substring(0, cut) : text);
            if (cut >= 0) {
                s.finish(FinishReason.STOP);
                return FinishReason.STOP;
            }
        }
        if (stopToken) {
            s.finish(FinishReason.STOP);
            return FinishReason.STOP;
        }
        if (s.constraint() != null && s.constraint().done()) {
            s.finish(FinishReason.STOP);
            return FinishReason.STOP;
        }
        if (s.generatedCount() >= p.maxTokens()) {
            s.finish(FinishReason.LENGTH);
            return FinishReason.LENGTH;
        }
        return null;
    }

    /** Index where the earliest stop string begins, or -1. */
    private static int firstStop(String text, SamplingParams p) {
        int best = -1;
        for (String stop : p.stopStrings()) {
            if (stop.isEmpty()) continue;
            int at = text.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }
}
