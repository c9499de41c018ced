package dev.aegaeon.platform.openai;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a chat message may carry besides {@code role} and {@code content}, as OpenAI refuses any
 * other field. {@code name}, {@code tool_call_id} and an assistant's {@code tool_calls} go to the
 * chat template, each call's {@code arguments} read from its JSON text into an object, as vLLM and
 * transformers' templates expect. The other fields an SDK copies from a previous answer
 * ({@code refusal}, {@code function_call}, {@code audio}, {@code annotations}) are taken only when
 * they hold nothing, since dropping a refusal would change the conversation the model sees.
 */
final class MessageFields {
    private static final Set<String> OWN = Set.of("role", "content");
    private static final Set<String> ONLY_EMPTY = Set.of("refusal", "function_call", "audio", "annotations");
    private static final Set<String> CALL_FIELDS = Set.of("id", "type", "function");
    private static final Set<String> FUNCTION_FIELDS = Set.of("name", "arguments");
    private static final ObjectMapper JSON = new ObjectMapper();

    private MessageFields() {}

    /** The message's fields for the template, beyond role and content; refuses what cannot be passed on. */
    static Map<String, Object> forTemplate(JsonNode message, String at) throws BadRequest {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode v = message.get(f);
            String where = at + "." + f;
            if (OWN.contains(f) || v.isNull()) continue;
            switch (f) {
                case "name", "tool_call_id" -> {
                    if (!v.isTextual()) throw new BadRequest(where, "'" + where + "' must be a string.");
                    out.put(f, v.asText());
                }
                case "tool_calls" -> {
                    if (!v.isArray()) throw new BadRequest(where, "'" + where + "' must be an array.");
                    if (!v.isEmpty()) out.put(f, toolCalls(v, where));
                }
                default -> {
                    if (!ONLY_EMPTY.contains(f)) throw new BadRequest(where, "Unrecognized message field '" + f + "' in " + at + ".");
                    if (!(v.isArray() && v.isEmpty())) throw new BadRequest(where, "'" + where + "': only null is supported here.");
                }
            }
        }
        return out;
    }

    private static List<Object> toolCalls(JsonNode calls, String at) throws BadRequest {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String where = at + "[" + i + "]";
            JsonNode c = calls.get(i);
            if (!c.isObject()) throw new BadRequest(where, "'" + where + "' must be an object.");
            RequestFields.only(c, CALL_FIELDS, where);
            if (c.has("type") && !"function".equals(c.get("type").asText()))
                throw new BadRequest(where + ".type", "Only tool calls of type 'function' are supported.");
            JsonNode f = c.get("function");
            if (f == null || !f.isObject() || !f.path("name").isTextual() || !f.path("arguments").isTextual())
                throw new BadRequest(where + ".function", "'" + where + ".function' must have a 'name' and 'arguments' (JSON text).");
            RequestFields.only(f, FUNCTION_FIELDS, where + ".function");
            Object arguments;
            try {
                arguments = JSON.readValue(f.get("arguments").asText(), Object.class);
            } catch (java.io.IOException e) {
                throw new BadRequest(where + ".function.arguments", "'" + where + ".function.arguments' must be JSON text.");
            }
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", f.get("name").asText());
            function.put("arguments", arguments);
            Map<String, Object> call = new LinkedHashMap<>();
            if (c.path("id").isTextual()) call.put("id", c.get("id").asText());
            call.put("type", "function");
            call.put("function", function);
            out.add(call);
        }
        return out;
    }
}
