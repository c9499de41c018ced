package dev.aegaeon.platform.openai;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.sampling.JsonSchema;

/**
 * A chat request's {@code tools} and {@code tool_choice}, served as vLLM serves them without a
 * tool-call parser: the tools reach the chat template (as {@code tools}, as transformers passes
 * them), and a call the request forces (a named function, or {@code "required"} with one tool) is
 * decoded under that function's {@code parameters} schema, so its arguments are always valid JSON
 * for it. {@code "auto"} (the default when tools are given) would need the model's own tool-call
 * syntax parsed out of free text, and {@code "required"} with several tools a choice between their
 * schemas; both are refused with a 400 that says what to send instead, never served as plain text.
 */
record ToolChoice(List<Object> templateTools, Optional<Forced> forced) {
    /** The function every answer calls; {@code required}: chosen by {@code "required"}, so the finish reason is {@code tool_calls}. */
    record Forced(String name, JsonSchema parameters, boolean required) {}

    static final ToolChoice NONE = new ToolChoice(List.of(), Optional.empty());

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Set<String> TOOL_FIELDS = Set.of("type", "function");
    private static final Set<String> FUNCTION_FIELDS = Set.of("name", "description", "parameters", "strict");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A function without {@code parameters} takes none, as OpenAI reads it. */
    private static final JsonSchema NO_PARAMETERS = JsonSchema.parse(
            JSON.createObjectNode().put("type", "object").put("additionalProperties", false));

    static ToolChoice parse(JsonNode body) throws BadRequest {
        JsonNode tools = body.get("tools");
        JsonNode choice = body.get("tool_choice");
        JsonNode parallel = body.get("parallel_tool_calls");
        if (parallel != null && !parallel.isNull() && !parallel.isBoolean())
            throw new BadRequest("parallel_tool_calls", "'parallel_tool_calls' must be a boolean.");
        if (tools == null || tools.isNull() || tools.isArray() && tools.isEmpty()) {
            if (choice != null && !choice.isNull() && !(choice.isTextual() && Set.of("none", "auto").contains(choice.asText())))
                throw new BadRequest("tool_choice", "'tool_choice' names a tool call, but the request defines no 'tools'.");
            return NONE;
        }
        if (!tools.isArray()) throw new BadRequest("tools", "'tools' must be an array of function tools.");
        Map<String, JsonSchema> byName = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = tools.get(i);
            if (!t.isObject()) throw new BadRequest(at, "Each tool must be an object.");
            RequestFields.only(t, TOOL_FIELDS, at);
            if (!"function".equals(t.path("type").asText())) throw new BadRequest(at + ".type", "Only tools of type 'function' are supported.");
            JsonNode f = t.get("function");
            if (f == null || !f.isObject()) throw new BadRequest(at + ".function", "'" + at + ".function' must be an object.");
            RequestFields.only(f, FUNCTION_FIELDS, at + ".function");
            String name = f.path("name").asText("");
            if (!f.path("name").isTextual() || !NAME.matcher(name).matches())
                throw new BadRequest(at + ".function.name", "'" + at + ".function.name' must be 1 to 64 letters, digits, '_' or '-'.");
            if (byName.containsKey(name)) throw new BadRequest(at + ".function.name", "Two tools are named '" + name + "'.");
            if (f.has("description") && !f.get("description").isTextual() && !f.get("description").isNull())
                throw new BadRequest(at + ".function.description", "'" + at + ".function.description' must be a string.");
            if (f.has("strict") && !f.get("strict").isBoolean() && !f.get("strict").isNull())
                throw new BadRequest(at + ".function.strict", "'" + at + ".function.strict' must be a boolean.");
            byName.put(name, parameters(f.get("parameters"), at + ".function.parameters"));
        }
        List<Object> templateTools = JSON.convertValue(tools, List.class);
        if (choice == null || choice.isNull() || choice.isTextual() && choice.asText().equals("auto"))
            throw new BadRequest("tool_choice", "tool_choice 'auto' (the default when tools are given) is not supported: it needs a "
                    + "tool-call parser for the model's own syntax. Name the function to call ({\"type\":\"function\",\"function\":"
                    + "{\"name\":...}}), send 'required' with one tool, or 'none'.");
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> new ToolChoice(templateTools, Optional.empty());
                case "required" -> {
                    if (byName.size() != 1)
                        throw new BadRequest("tool_choice", "tool_choice 'required' is supported with one tool; with " + byName.size()
                                + ", name the function to call.");
                    var only = byName.entrySet().iterator().next();
                    yield new ToolChoice(templateTools, Optional.of(new Forced(only.getKey(), only.getValue(), true)));
                }
                default -> throw new BadRequest("tool_choice", "Invalid value: '" + choice.asText()
                        + "'. Supported values are: 'none', 'auto', 'required', or a named function.");
            };
        }
        if (!choice.isObject() || !"function".equals(choice.path("type").asText()) || !choice.path("function").path("name").isTextual())
            throw new BadRequest("tool_choice", "A named tool_choice is {\"type\":\"function\",\"function\":{\"name\":...}}.");
        String name = choice.get("function").get("name").asText();
        JsonSchema schema = byName.get(name);
        if (schema == null) throw new BadRequest("tool_choice", "tool_choice names '" + name + "', which is not among the tools.");
        return new ToolChoice(templateTools, Optional.of(new Forced(name, schema, false)));
    }

    private static JsonSchema parameters(JsonNode p, String at) throws BadRequest {
        if (p == null || p.isNull()) return NO_PARAMETERS;
        if (!p.isObject()) throw new BadRequest(at, "'" + at + "' must be a JSON Schema object.");
        try {
            return JsonSchema.parse(p);
        } catch (JsonSchema.Unsupported e) {
            throw new BadRequest(at, "Unsupported schema: " + e.getMessage() + ".");
        }
    }
}
