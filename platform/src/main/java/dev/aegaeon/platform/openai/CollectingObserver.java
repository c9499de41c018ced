package dev.aegaeon.platform.openai;

import java.util.function.Consumer;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;

/** Gathers a whole answer for front doors that reply once (non-streaming HTTP, Funqy, Kafka results). */
public final class CollectingObserver implements InvocationObserver {
    /** The end of a collected invocation: either text with a finish reason and usage, or an error. */
    public record Outcome(String text, FinishReason finishReason, Usage usage, InvocationError error) {
        public boolean failed() {
            return error != null;
        }
    }

    private final StringBuilder text = new StringBuilder();
    private final Consumer<Outcome> done;
    private final TokenTap tap;

    /** Also sees each delta as it comes (e.g. to publish token deltas), or null. */
    public interface TokenTap {
        void token(int index, String text);
    }

    public CollectingObserver(Consumer<Outcome> done) {
        this(done, null);
    }

    public CollectingObserver(Consumer<Outcome> done, TokenTap tap) {
        this.done = done;
        this.tap = tap;
    }

    @Override
    public void onToken(int index, String piece) {
        text.append(piece);
        if (tap != null) tap.token(index, piece);
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        done.accept(new Outcome(text.toString(), reason, usage, null));
    }

    @Override
    public void onError(InvocationError error) {
        done.accept(new Outcome(text.toString(), null, null, error));
    }
}
