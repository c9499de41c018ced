package dev.aegaeon.runtime.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * {@link TokenLogprobs} with each id spelled as text, as the OpenAI responses show them: the chosen
 * token and the most likely alternatives, most likely first.
 */
public record DecodedLogprobs(String token, float logprob, List<Alternative> top) {
    public record Alternative(String token, float logprob) {}

    public DecodedLogprobs {
        top = List.copyOf(top);
    }

    public static DecodedLogprobs of(TokenLogprobs lp, IntFunction<String> text) {
        List<Alternative> top = new ArrayList<>(lp.topIds().length);
        for (int i = 0; i < lp.topIds().length; i++) top.add(new Alternative(text.apply(lp.topIds()[i]), lp.topLogprobs()[i]));
        return new DecodedLogprobs(text.apply(lp.tokenId()), lp.logprob(), top);
    }
}
