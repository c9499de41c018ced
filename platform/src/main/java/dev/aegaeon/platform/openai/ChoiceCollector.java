package dev.aegaeon.platform.openai;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/**
 * Gathers the {@code best_of} generations of one non-streaming request and, when all ended, keeps
 * the {@code n} with the highest cumulative logprob (vLLM's legacy {@code best_of}; all of them when
 * best_of = n, in order). The usage counts the prompt once and every generated token of every
 * candidate, kept or not, as OpenAI bills {@code best_of}. The first failure ends the request.
 */
final class ChoiceCollector {
    /** The request's end: the kept choices and the usage, or an error. */
    record Result(List<OpenAiFormat.Choice> choices, Usage usage, InvocationError error) {}

    private final int n;
    private final CollectingObserver.Outcome[] outcomes;
    private final Consumer<Result> done;
    private final Runnable cancelAll;
    private int open;
    private boolean ended;

    ChoiceCollector(int n, int bestOf, Runnable cancelAll, Consumer<Result> done) {
        this.n = n;
        this.outcomes = new CollectingObserver.Outcome[bestOf];
        this.open = bestOf;
        this.cancelAll = cancelAll;
        this.done = done;
    }

    InvocationObserver candidate(int index) {
        return new CollectingObserver(outcome -> ended(index, outcome));
    }

    private void ended(int index, CollectingObserver.Outcome outcome) {
        Result result;
        synchronized (this) {
            if (ended) return;
            InvocationError error = outcome.failed() ? outcome.error()
                    : outcome.finishReason() == FinishReason.CANCELLED ? InvocationError.cancelled() : null;
            if (error != null) {
                ended = true;
                result = new Result(List.of(), null, error);
            } else {
                outcomes[index] = outcome;
                if (--open > 0) return;
                ended = true;
                result = best();
            }
        }
        if (result.error() != null) cancelAll.run();
        done.accept(result);
    }

    private Result best() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) order.add(i);
        if (outcomes.length > n) {
            order.sort(Comparator.comparingDouble((Integer i) -> -cumulative(outcomes[i].logprobs())));
            order = order.subList(0, n);
        }
        List<OpenAiFormat.Choice> kept = new ArrayList<>();
        for (int i : order) {
            var o = outcomes[i];
            kept.add(new OpenAiFormat.Choice(o.text(), o.finishReason().openAiName(), o.logprobs()));
        }
        int completion = 0;
        for (var o : outcomes) completion += o.usage().completionTokens();
        return new Result(kept, new Usage(outcomes[0].usage().promptTokens(), completion), null);
    }

    static double cumulative(List<DecodedLogprobs> tokens) {
        double sum = 0;
        for (DecodedLogprobs t : tokens) sum += t.logprob();
        return sum;
    }
}
