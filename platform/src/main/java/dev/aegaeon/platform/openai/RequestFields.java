package dev.aegaeon.platform.openai;

import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which top-level fields each OpenAI endpoint takes here. A field outside these sets gets a 400 that
 * names it (OpenAI: "Unrecognized request argument supplied"), so nothing is accepted and ignored;
 * fields that are pure labels (user, metadata, ...) change nothing a model does and are accepted.
 */
final class RequestFields {
    private RequestFields() {}

    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "stop", "seed", "n",
            "stream", "stream_options", "logprobs", "frequency_penalty", "presence_penalty", "logit_bias",
            "repetition_penalty", "top_k", "min_p", "user", "safety_identifier", "prompt_cache_key", "metadata",
            "service_tier", "store", "echo", "suffix", "functions", "function_call");
    /** tools, tool_choice and parallel_tool_calls are read by {@link ToolChoice}. */
    private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens", "top_logprobs", "response_format",
            "tools", "tool_choice", "parallel_tool_calls");
    private static final Set<String> COMPLETION = Set.of("prompt", "best_of");

    static void check(OpenAiCall.Kind kind, JsonNode body) throws BadRequest {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (COMMON.contains(f) || (kind == OpenAiCall.Kind.CHAT ? CHAT : COMPLETION).contains(f)) continue;
            String where = kind == OpenAiCall.Kind.CHAT ? "chat completions" : "completions";
            throw new BadRequest(f, "Unrecognized request argument supplied: " + f + " (not a parameter of " + where + " here).");
        }
        refuseUnless(body, "echo", n -> n.isBoolean() && !n.asBoolean(), "'echo' is not supported.");
        refuseUnless(body, "suffix", n -> false, "'suffix' is not supported.");
        refuseUnless(body, "store", n -> n.isBoolean() && !n.asBoolean(), "'store' is not supported: outputs are never stored.");
        refuseUnless(body, "service_tier", n -> n.isTextual() && Set.of("auto", "default").contains(n.asText()),
                "'service_tier' supports only 'auto' and 'default'.");
        refuseUnless(body, "functions", n -> n.isArray() && n.isEmpty(), "'functions' is deprecated and not supported: send 'tools'.");
        refuseUnless(body, "function_call", n -> n.isTextual() && n.asText().equals("none"),
                "'function_call' is deprecated and not supported: send 'tool_choice'.");
    }

    /** Refuses any field of {@code node} (an object at {@code at} inside the body) outside {@code allowed}, naming it. */
    static void only(JsonNode node, Set<String> allowed, String at) throws BadRequest {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw new BadRequest(at + "." + f, "Unrecognized field '" + f + "' in " + at + ".");
        }
    }

    private interface Allowed { boolean test(JsonNode n); }

    private static void refuseUnless(JsonNode body, String field, Allowed allowed, String message) throws BadRequest {
        JsonNode n = body.get(field);
        if (n != null && !n.isNull() && !allowed.test(n)) throw new BadRequest(field, message);
    }
}
