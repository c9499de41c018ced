package dev.aegaeon.platform.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/** Gathers a whole answer for front doors that reply once (non-streaming HTTP, Funqy, Kafka results). */
public final class CollectingObserver implements InvocationObserver {
    /** The end of a collected invocation: either text with a finish reason and usage, or an error. */
    public record Outcome(String text, FinishReason finishReason, Usage usage, InvocationError error,
            List<DecodedLogprobs> logprobs) {
        public boolean failed() {
            return error != null;
        }
    }

    private final StringBuilder text = new StringBuilder();
    private final List<DecodedLogprobs> logprobs = new ArrayList<>();
    private final Consumer<Outcome> done;
    private final TokenTap tap;

    /** Also sees each delta as it comes (e.g. to publish token deltas), or null. */
    public interface TokenTap {
        void token(int index, String text, DecodedLogprobs logprobs);
    }

    public CollectingObserver(Consumer<Outcome> done) {
        this(done, null);
    }

    public CollectingObserver(Consumer<Outcome> done, TokenTap tap) {
        this.done = done;
        this.tap = tap;
    }

    @Override
    public void onToken(int index, String piece, DecodedLogprobs token) {
        text.append(piece);
        if (token != null) logprobs.add(token);
        if (tap != null) tap.token(index, piece, token);
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        done.accept(new Outcome(text.toString(), reason, usage, null, List.copyOf(logprobs)));
    }

    @Override
    public void onError(InvocationError error) {
        done.accept(new Outcome(text.toString(), null, null, error, List.copyOf(logprobs)));
    }
}
