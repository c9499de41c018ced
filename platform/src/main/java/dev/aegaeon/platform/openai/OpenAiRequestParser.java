package dev.aegaeon.platform.openai;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.platform.invoke.InvocationRequest;

/**
 * Parses OpenAI {@code /v1/completions} and {@code /v1/chat/completions} bodies, the same for HTTP
 * and Kafka. Every rule broken becomes a {@link BadRequest} naming the parameter, as OpenAI does.
 * Fields we do not use (user, logit_bias, ...) are accepted and ignored, like OpenAI-compatible
 * servers do; fields we cannot honour (n > 1, best_of > 1, tools) are refused.
 */
public final class OpenAiRequestParser {
    private OpenAiRequestParser() {}

    /**
     * Strict JSON: a duplicate key or anything after the value is refused rather than guessed at
     * (two readers of one body must never see two different requests), and input must be UTF-8.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    /** The chat roles OpenAI accepts; every front door refuses any other. */
    public static final List<String> CHAT_ROLES = List.of("system", "developer", "user", "assistant", "tool");

    /** OpenAI's default max_tokens for legacy completions. */
    static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

    /** Any JSON value, read as strictly as {@link #readTree}: UTF-8, no duplicate keys, nothing after it. */
    public static JsonNode readValue(byte[] body) throws BadRequest {
        if (body == null || body.length == 0) throw new BadRequest(null, "We could not parse the JSON body of your request: the body is empty.");
        if (!Utf8.isValid(body)) throw new BadRequest(null, "We could not parse the JSON body of your request: it is not valid UTF-8.");
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new BadRequest(null, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
        }
    }

    public static JsonNode readTree(byte[] body) throws BadRequest {
        if (body == null || body.length == 0) throw new BadRequest(null, "We could not parse the JSON body of your request: the body is empty.");
        if (!Utf8.isValid(body)) throw new BadRequest(null, "We could not parse the JSON body of your request: it is not valid UTF-8.");
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject())
                throw new BadRequest(null, "We could not parse the JSON body of your request: expected a JSON object.");
            return node;
        } catch (JacksonException e) {
            throw new BadRequest(null, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
        } catch (java.io.IOException e) {
            throw new BadRequest(null, "We could not read the body of your request.");
        }
    }

    /**
     * The kind of an invocation body that arrives without an endpoint to say it (a Kafka record, a
     * CloudEvent): chat when it has {@code messages}, a completion when it has {@code prompt}.
     */
    public static OpenAiCall.Kind invocationKind(JsonNode body) throws BadRequest {
        if (!body.path("model").isTextual()) throw new BadRequest("model", "an invocation needs a string 'model'");
        if (body.has("messages")) return OpenAiCall.Kind.CHAT;
        if (body.has("prompt")) return OpenAiCall.Kind.COMPLETION;
        throw new BadRequest(null, "an invocation needs 'messages' (chat) or 'prompt' (completion)");
    }

    public static OpenAiCall parse(OpenAiCall.Kind kind, JsonNode body, long arrivalNanos, Optional<String> apiKey,
            Optional<Duration> timeout, Optional<String> id) throws BadRequest {
        String model = requiredString(body, "model");
        ToolChoice tools = kind == OpenAiCall.Kind.CHAT ? ToolChoice.parse(body) : ToolChoice.NONE;
        Prompt prompt = kind == OpenAiCall.Kind.CHAT ? new Prompt.Chat(chatMessages(body), tools.templateTools()) : textPrompt(body);
        Optional<Integer> maxTokens = optionalInt(body, kind == OpenAiCall.Kind.CHAT && body.hasNonNull("max_completion_tokens")
                ? "max_completion_tokens" : "max_tokens");
        List<String> stop = stop(body);
        RequestFields.check(kind, body);
        boolean stream = optionalBoolean(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw new BadRequest("stream_options", "stream_options must be an object.");
            if (!stream) throw new BadRequest("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            includeUsage = optionalBoolean(so, "include_usage", false);
        }
        SamplingParser.Parsed sampling = SamplingParser.parse(kind, body, stop, stream);
        if (tools.forced().isPresent()) {
            if (!(sampling.sampling().responseFormat() instanceof dev.aegaeon.runtime.sampling.ResponseFormat.Text))
                throw new BadRequest("response_format", "'response_format' cannot be combined with a forced tool call: the call's "
                        + "arguments follow the function's parameters.");
            sampling = new SamplingParser.Parsed(sampling.sampling().withResponseFormat(
                    new dev.aegaeon.runtime.sampling.ResponseFormat.Schema(tools.forced().get().parameters(), true)), sampling.choices());
        }
        int defaultMax = kind == OpenAiCall.Kind.CHAT ? Integer.MAX_VALUE : COMPLETIONS_DEFAULT_MAX_TOKENS;
        var request = new InvocationRequest(model, prompt, maxTokens, defaultMax, sampling.sampling(),
                arrivalNanos, timeout, apiKey, id);
        return new OpenAiCall(kind, request, stream, includeUsage, sampling.choices(), tools);
    }

    private static Prompt textPrompt(JsonNode body) throws BadRequest {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) throw new BadRequest("prompt", "Missing required parameter: 'prompt'.");
        if (p.isTextual()) return new Prompt.Text(p.asText());
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return new Prompt.Text(p.get(0).asText());
        if (p.isArray() && !p.isEmpty() && p.get(0).isNumber()) return tokenPrompt(p);
        if (p.isArray() && p.size() > 1 && (p.get(0).isTextual() || p.get(0).isArray()))
            throw new BadRequest("prompt", "Batched prompts (an array of several strings or token arrays) are not supported: send one prompt per request.");
        if (p.isArray() && p.size() == 1 && p.get(0).isArray())
            throw new BadRequest("prompt", "Nested token arrays are not supported: send the token ids as one flat array of integers.");
        throw new BadRequest("prompt", "'prompt' must be a string, an array of one string, or an array of token ids (integers).");
    }

    /** OpenAI's {@code prompt: [int, ...]}: token ids, taken as they are; the backend checks them against the vocabulary. */
    static Prompt tokenPrompt(JsonNode p) throws BadRequest {
        int[] ids = new int[p.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = p.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0)
                throw new BadRequest("prompt", "'prompt[" + i + "]' must be a non-negative integer token id, got " + e + ".");
            ids[i] = e.asInt();
        }
        return new Prompt.Tokens(ids);
    }

    static Prompt chatPrompt(JsonNode body) throws BadRequest {
        return new Prompt.Chat(chatMessages(body));
    }

    private static List<Prompt.Message> chatMessages(JsonNode body) throws BadRequest {
        JsonNode ms = body.get("messages");
        if (ms == null || ms.isNull()) throw new BadRequest("messages", "Missing required parameter: 'messages'.");
        if (!ms.isArray() || ms.isEmpty()) throw new BadRequest("messages", "'messages' must be a non-empty array.");
        List<Prompt.Message> out = new ArrayList<>(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw new BadRequest(at, "Each message must be an object.");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw new BadRequest(at + ".role", "Missing required parameter: '" + at + ".role'.");
            String r = role.asText();
            if (!CHAT_ROLES.contains(r))
                throw new BadRequest(at + ".role", "Invalid value: '" + r + "'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.");
            out.add(new Prompt.Message(r.equals("developer") ? "system" : r, content(m.get("content"), at + ".content"),
                    MessageFields.forTemplate(m, at)));
        }
        return out;
    }

    private static String content(JsonNode c, String at) throws BadRequest {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual())
                    throw new BadRequest(at, "Only text content parts ({\"type\":\"text\",\"text\":...}) are supported.");
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw new BadRequest(at, "'" + at + "' must be a string or an array of text parts.");
    }

    private static List<String> stop(JsonNode body) throws BadRequest {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) return List.of();
        if (s.isTextual()) return List.of(s.asText());
        if (s.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : s) {
                if (!e.isTextual()) throw new BadRequest("stop", "'stop' must be a string or an array of strings.");
                out.add(e.asText());
            }
            return out;
        }
        throw new BadRequest("stop", "'stop' must be a string or an array of strings.");
    }

    static String requiredString(JsonNode body, String field) throws BadRequest {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) throw new BadRequest(field, "Missing required parameter: '" + field + "'.");
        if (!n.isTextual() || n.asText().isEmpty()) throw new BadRequest(field, "'" + field + "' must be a non-empty string.");
        return n.asText();
    }

    private static Optional<Integer> optionalInt(JsonNode body, String field) throws BadRequest {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return Optional.empty();
        long v = integer(n, field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new BadRequest(field, "'" + field + "' is out of range.");
        return Optional.of((int) v);
    }

    private static long integer(JsonNode n, String field) throws BadRequest {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new BadRequest(field, "'" + field + "' must be an integer.");
        return n.asLong();
    }

    static boolean optionalBoolean(JsonNode body, String field, boolean fallback) throws BadRequest {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return fallback;
        if (!n.isBoolean()) throw new BadRequest(field, "'" + field + "' must be a boolean.");
        return n.asBoolean();
    }
}
