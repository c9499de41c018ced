package dev.aegaeon.platform.openai;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.sampling.JsonSchema;
import dev.aegaeon.runtime.sampling.Penalties;
import dev.aegaeon.runtime.sampling.ResponseFormat;

/**
 * The sampling fields of an OpenAI body, with vLLM's extensions (top_k, min_p, repetition_penalty),
 * checked with the ranges OpenAI and vLLM enforce; each broken rule is a 400 naming its field.
 */
final class SamplingParser {
    private SamplingParser() {}

    /** At most this many sequences per request (n, best_of): each runs as its own generation. */
    static final int MAX_CHOICES = 16;

    /** What the response shows: {@code logprobs} -1 = none, else how many alternatives per token. */
    record Choices(int n, int bestOf, int logprobs) {}

    record Parsed(SamplingParams sampling, Choices choices) {}

    static Parsed parse(OpenAiCall.Kind kind, JsonNode body, List<String> stop, boolean stream) throws BadRequest {
        boolean chat = kind == OpenAiCall.Kind.CHAT;
        double temperature = number(body, "temperature", 1.0);
        if (!(temperature >= 0 && temperature <= 2)) throw new BadRequest("temperature", "temperature must be between 0 and 2, got " + temperature + ".");
        double topP = number(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw new BadRequest("top_p", "top_p must be greater than 0 and at most 1, got " + topP + ".");
        int topK = integer(body, "top_k", -1);
        if (topK < -1) throw new BadRequest("top_k", "top_k must be -1 or 0 (disabled), or at least 1, got " + topK + ".");
        double minP = number(body, "min_p", 0.0);
        if (!(minP >= 0 && minP <= 1)) throw new BadRequest("min_p", "min_p must be in [0, 1], got " + minP + ".");
        double presence = penalty(body, "presence_penalty");
        double frequency = penalty(body, "frequency_penalty");
        double repetition = number(body, "repetition_penalty", 1.0);
        if (!(repetition > 0 && repetition <= 2))
            throw new BadRequest("repetition_penalty", "repetition_penalty must be in (0, 2], got " + repetition + ".");
        Long seed = body.hasNonNull("seed") ? longValue(body.get("seed"), "seed") : null;

        int n = integer(body, "n", 1);
        if (n < 1 || n > MAX_CHOICES) throw new BadRequest("n", "n must be between 1 and " + MAX_CHOICES + ", got " + n + ".");
        int bestOf = integer(body, "best_of", n);
        if (bestOf < n || bestOf > MAX_CHOICES)
            throw new BadRequest("best_of", "best_of must be at least n (" + n + ") and at most " + MAX_CHOICES + ", got " + bestOf + ".");
        if (stream && bestOf > n) throw new BadRequest("best_of", "best_of greater than n is not supported with streaming.");

        int shown = chat ? chatLogprobs(body) : completionLogprobs(body);
        int computed = shown >= 0 ? shown : bestOf > n ? 0 : -1; // best_of ranks by cumulative logprob

        SamplingParams sampling = SamplingParams.builder()
                .temperature((float) temperature).topP((float) topP).topK(topK).minP((float) minP).seed(seed)
                .stopStrings(stop).penalties(new Penalties((float) presence, (float) frequency, (float) repetition))
                .logitBias(logitBias(body)).logprobs(computed)
                .responseFormat(chat ? responseFormat(body.get("response_format")) : ResponseFormat.TEXT)
                .build();
        return new Parsed(sampling, new Choices(n, bestOf, shown));
    }

    private static int chatLogprobs(JsonNode body) throws BadRequest {
        JsonNode lp = body.get("logprobs");
        boolean on = false;
        if (lp != null && !lp.isNull()) {
            if (!lp.isBoolean()) throw new BadRequest("logprobs", "'logprobs' must be a boolean.");
            on = lp.asBoolean();
        }
        if (!body.hasNonNull("top_logprobs")) return on ? 0 : -1;
        int top = integer(body, "top_logprobs", 0);
        if (!on) throw new BadRequest("top_logprobs", "'logprobs' must be true when 'top_logprobs' is used.");
        if (top < 0 || top > SamplingParams.MAX_LOGPROBS)
            throw new BadRequest("top_logprobs", "top_logprobs must be between 0 and " + SamplingParams.MAX_LOGPROBS + ", got " + top + ".");
        return top;
    }

    private static int completionLogprobs(JsonNode body) throws BadRequest {
        if (!body.hasNonNull("logprobs")) return -1;
        int n = integer(body, "logprobs", 0);
        if (n < 0 || n > SamplingParams.MAX_LOGPROBS)
            throw new BadRequest("logprobs", "logprobs must be between 0 and " + SamplingParams.MAX_LOGPROBS + ", got " + n + ".");
        return n;
    }

    private static Map<Integer, Float> logitBias(JsonNode body) throws BadRequest {
        JsonNode b = body.get("logit_bias");
        if (b == null || b.isNull()) return Map.of();
        if (!b.isObject()) throw new BadRequest("logit_bias", "'logit_bias' must be an object mapping token ids to biases.");
        Map<Integer, Float> out = new HashMap<>();
        for (var it = b.fields(); it.hasNext(); ) {
            var e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw new BadRequest("logit_bias", "Invalid key in 'logit_bias': '" + e.getKey() + "' is not a token id.");
            }
            if (id < 0) throw new BadRequest("logit_bias", "Invalid key in 'logit_bias': token id " + id + " is negative.");
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100))
                throw new BadRequest("logit_bias", "Invalid value for 'logit_bias' of token " + id + ": it must be a number in [-100, 100].");
            out.put(id, (float) v.asDouble());
        }
        return out;
    }

    static ResponseFormat responseFormat(JsonNode f) throws BadRequest {
        if (f == null || f.isNull()) return ResponseFormat.TEXT;
        if (!f.isObject() || !f.path("type").isTextual())
            throw new BadRequest("response_format", "'response_format' must be an object with a 'type'.");
        return switch (f.get("type").asText()) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> {
                JsonNode js = f.get("json_schema");
                if (js == null || !js.isObject()) throw new BadRequest("response_format.json_schema", "'response_format.json_schema' must be an object.");
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) yield new ResponseFormat.JsonObject(); // OpenAI: no schema = any JSON object
                try {
                    yield new ResponseFormat.Schema(JsonSchema.parse(schema));
                } catch (JsonSchema.Unsupported e) {
                    throw new BadRequest("response_format.json_schema.schema", "Unsupported schema: " + e.getMessage() + ".");
                }
            }
            default -> throw new BadRequest("response_format.type", "Invalid value: '" + f.get("type").asText()
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        };
    }

    private static double penalty(JsonNode body, String field) throws BadRequest {
        double v = number(body, field, 0.0);
        if (!(v >= -2 && v <= 2)) throw new BadRequest(field, field + " must be between -2 and 2, got " + v + ".");
        return v;
    }

    private static double number(JsonNode body, String field, double fallback) throws BadRequest {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return fallback;
        if (!n.isNumber()) throw new BadRequest(field, "'" + field + "' must be a number.");
        return n.asDouble();
    }

    private static int integer(JsonNode body, String field, int fallback) throws BadRequest {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return fallback;
        long v = longValue(n, field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new BadRequest(field, "'" + field + "' is out of range.");
        return (int) v;
    }

    private static long longValue(JsonNode n, String field) throws BadRequest {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new BadRequest(field, "'" + field + "' must be an integer.");
        return n.asLong();
    }
}
