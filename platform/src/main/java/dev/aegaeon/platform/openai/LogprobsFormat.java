package dev.aegaeon.platform.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/**
 * OpenAI's two logprobs shapes. Chat: {@code {"content":[{token, logprob, bytes, top_logprobs:[...]}],
 * "refusal":null}} with {@code top_logprobs} alternatives per token. Legacy completions:
 * {@code {tokens, token_logprobs, top_logprobs:[{token: logprob}], text_offset}}, where each
 * {@code top_logprobs} entry also holds the sampled token (so up to n + 1 entries), and
 * {@code text_offset} counts characters (code points) of the tokens before.
 */
final class LogprobsFormat {
    private LogprobsFormat() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** JSON has no -Infinity: vLLM reports it as -9999.0. */
    static double finite(float logprob) {
        return Float.isFinite(logprob) ? logprob : -9999.0;
    }

    static ObjectNode chat(List<DecodedLogprobs> tokens, int top) {
        ObjectNode root = F.objectNode();
        ArrayNode content = root.putArray("content");
        for (DecodedLogprobs t : tokens) {
            ObjectNode e = entry(t.token(), t.logprob());
            ArrayNode alternatives = e.putArray("top_logprobs");
            for (int i = 0; i < Math.min(top, t.top().size()); i++) {
                alternatives.add(entry(t.top().get(i).token(), t.top().get(i).logprob()));
            }
            content.add(e);
        }
        root.putNull("refusal");
        return root;
    }

    private static ObjectNode entry(String token, float logprob) {
        ObjectNode e = F.objectNode();
        e.put("token", token);
        e.put("logprob", finite(logprob));
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
        return e;
    }

    /** @param offset the text offset of the first of {@code tokens} */
    static ObjectNode completion(List<DecodedLogprobs> tokens, int top, int offset) {
        ObjectNode root = F.objectNode();
        ArrayNode names = root.putArray("tokens");
        ArrayNode logprobs = root.putArray("token_logprobs");
        ArrayNode tops = root.putArray("top_logprobs");
        ArrayNode offsets = root.putArray("text_offset");
        for (DecodedLogprobs t : tokens) {
            names.add(t.token());
            logprobs.add(finite(t.logprob()));
            ObjectNode alternatives = tops.addObject();
            for (int i = 0; i < Math.min(top, t.top().size()); i++) {
                alternatives.put(t.top().get(i).token(), finite(t.top().get(i).logprob()));
            }
            alternatives.put(t.token(), finite(t.logprob()));
            offsets.add(offset);
            offset += t.token().codePointCount(0, t.token().length());
        }
        return root;
    }

    /** Characters (code points) the tokens' texts add to {@code text_offset}. */
    static int length(List<DecodedLogprobs> tokens) {
        int n = 0;
        for (DecodedLogprobs t : tokens) n += t.token().codePointCount(0, t.token().length());
        return n;
    }
}
