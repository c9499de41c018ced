package dev.aegaeon.runtime.sampling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The subset of JSON Schema that decoding can enforce: {@code type} (one of object, array, string,
 * number, integer, boolean, null), {@code properties}, {@code required},
 * {@code additionalProperties} (boolean), {@code items}, {@code enum} and {@code const} of strings (property names
 * and enum values without quotes, backslashes or control characters); a schema or null, in the
 * three ways SDKs write it ({@code "type": [T, "null"]}, {@code "anyOf": [S, {"type": "null"}]} as
 * pydantic's {@code Optional} does, and {@code "nullable": true} as the OpenAI Node SDK's zod helper
 * does); local {@code $ref}s to {@code $defs} or {@code definitions}, inlined ({@link SchemaRefs});
 * annotations
 * (title, description, examples, default, $schema, $id, $comment) are allowed. Any other keyword is
 * refused by {@link #parse} rather than silently ignored. The empty schema accepts any value.
 */
public final class JsonSchema {
    public enum Type { ANY, OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL }

    /** A schema keyword decoding cannot enforce; {@code getMessage()} names it. */
    public static final class Unsupported extends IllegalArgumentException {
        public Unsupported(String message) { super(message); }
    }

    public static final JsonSchema ANY_VALUE = new JsonSchema(Type.ANY, Map.of(), Set.of(), true, null, null, false);
    /** Any JSON object: what {@code {"type":"json_object"}} asks for. */
    public static final JsonSchema ANY_OBJECT = new JsonSchema(Type.OBJECT, Map.of(), Set.of(), true, null, null, false);

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "examples", "default", "$schema", "$id", "$comment");
    private static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties", "items", "enum",
            "anyOf", "nullable", "const");

    private final Type type;
    private final Map<String, JsonSchema> properties;
    private final Set<String> required;
    private final boolean additionalProperties;
    private final JsonSchema items;
    private final Set<String> enumValues;
    private final boolean nullable;

    private JsonSchema(Type type, Map<String, JsonSchema> properties, Set<String> required, boolean additionalProperties,
                       JsonSchema items, Set<String> enumValues, boolean nullable) {
        this.type = type;
        this.properties = properties;
        this.required = required;
        this.additionalProperties = additionalProperties;
        this.items = items;
        this.enumValues = enumValues;
        this.nullable = nullable;
    }

    public Type type() { return type; }

    /** The schema of property {@code name}; null when the object may not have it. */
    public JsonSchema property(String name) {
        JsonSchema s = properties.get(name);
        return s != null ? s : additionalProperties ? ANY_VALUE : null;
    }

    /** Names an object may use, or null when any name is allowed. */
    public Set<String> allowedNames() { return additionalProperties ? null : properties.keySet(); }

    public Set<String> required() { return required; }

    public JsonSchema items() { return items == null ? ANY_VALUE : items; }

    /** The allowed string values, or null for any string. */
    public Set<String> enumValues() { return enumValues; }

    /** True when {@code null} is allowed besides values of {@link #type()}. */
    public boolean nullable() { return nullable; }

    private JsonSchema orNull() {
        if (nullable || type == Type.ANY || type == Type.NULL) return this;
        return new JsonSchema(type, properties, required, additionalProperties, items, enumValues, true);
    }

    public static JsonSchema parse(JsonNode node) {
        return parse(SchemaRefs.inline(node), "schema");
    }

    static boolean isAnnotation(String keyword) { return ANNOTATIONS.contains(keyword); }

    private static JsonSchema parse(JsonNode node, String at) {
        if (node.isBoolean() && node.asBoolean()) return ANY_VALUE;
        if (!node.isObject()) throw new Unsupported(at + " must be a JSON Schema object");
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String k : names) {
            if (!KEYWORDS.contains(k) && !ANNOTATIONS.contains(k))
                throw new Unsupported("the JSON Schema keyword '" + k + "' (at " + at + ") is not supported");
        }
        if (node.has("anyOf")) return anyOfOrNull(node, names, at);
        boolean nullable = false;
        if (node.has("nullable")) {
            if (!node.get("nullable").isBoolean()) throw new Unsupported(at + ".nullable must be a boolean");
            nullable = node.get("nullable").asBoolean();
        }
        JsonNode typeNode = node.get("type");
        if (typeNode != null && typeNode.isArray()) {
            List<String> types = new ArrayList<>();
            for (JsonNode t : typeNode) {
                if (!t.isTextual()) throw new Unsupported(at + ".type must list type names");
                if (t.asText().equals("null")) nullable = true;
                else types.add(t.asText());
            }
            if (types.size() > 1) throw new Unsupported(at + ".type lists one type and \"null\" at most (a union of " + types + " is not supported)");
            typeNode = com.fasterxml.jackson.databind.node.TextNode.valueOf(types.isEmpty() ? "null" : types.getFirst());
        }
        Set<String> enumValues = null;
        if (node.has("enum")) {
            JsonNode e = node.get("enum");
            if (!e.isArray() || e.isEmpty()) throw new Unsupported(at + ".enum must be a non-empty array");
            enumValues = new LinkedHashSet<>();
            for (JsonNode v : e) {
                if (!v.isTextual()) throw new Unsupported("only string values are supported in " + at + ".enum");
                requirePlain(v.asText(), at + ".enum");
                enumValues.add(v.asText());
            }
        }
        if (node.has("const")) { // pydantic's Literal["x"]: a one-value enum
            JsonNode c = node.get("const");
            if (!c.isTextual() || enumValues != null) throw new Unsupported(at + ".const is supported as one string, without enum");
            requirePlain(c.asText(), at + ".const");
            enumValues = Set.of(c.asText());
        }
        Type type = type(typeNode, at, enumValues != null);
        if (enumValues != null && type != Type.STRING) throw new Unsupported(at + ".enum is supported for strings only");
        Map<String, JsonSchema> properties = new LinkedHashMap<>();
        Set<String> required = new LinkedHashSet<>();
        boolean additional = true;
        JsonSchema items = null;
        if (node.has("properties") || node.has("required") || node.has("additionalProperties")) {
            if (type != Type.OBJECT) throw new Unsupported(at + ": properties need \"type\": \"object\"");
            JsonNode props = node.path("properties");
            if (!props.isMissingNode()) {
                if (!props.isObject()) throw new Unsupported(at + ".properties must be an object");
                for (var it = props.fields(); it.hasNext(); ) {
                    var f = it.next();
                    requirePlain(f.getKey(), at + ".properties");
                    properties.put(f.getKey(), parse(f.getValue(), at + ".properties." + f.getKey()));
                }
            }
            JsonNode req = node.path("required");
            if (!req.isMissingNode()) {
                if (!req.isArray()) throw new Unsupported(at + ".required must be an array");
                for (JsonNode r : req) {
                    if (!r.isTextual()) throw new Unsupported(at + ".required must list property names");
                    required.add(r.asText());
                }
            }
            JsonNode ap = node.path("additionalProperties");
            if (!ap.isMissingNode()) {
                if (!ap.isBoolean()) throw new Unsupported(at + ".additionalProperties is supported as a boolean only");
                additional = ap.asBoolean();
            }
            for (String r : required) {
                if (!additional && !properties.containsKey(r))
                    throw new Unsupported(at + ".required names '" + r + "', which additionalProperties: false forbids");
            }
        }
        if (node.has("items")) {
            if (type != Type.ARRAY) throw new Unsupported(at + ": items needs \"type\": \"array\"");
            items = parse(node.get("items"), at + ".items");
        }
        JsonSchema parsed = new JsonSchema(type, Map.copyOf(properties), Set.copyOf(required), additional, items,
                enumValues == null ? null : Set.copyOf(enumValues), false);
        return nullable ? parsed.orNull() : parsed;
    }

    /** {@code anyOf} of one schema, or of a schema and {@code {"type": "null"}}: the only unions decoding enforces. */
    private static JsonSchema anyOfOrNull(JsonNode node, List<String> names, String at) {
        for (String k : names) {
            if (!k.equals("anyOf") && !ANNOTATIONS.contains(k)) throw new Unsupported(at + ": anyOf with '" + k + "' beside it is not supported");
        }
        JsonNode options = node.get("anyOf");
        if (!options.isArray() || options.isEmpty() || options.size() > 2)
            throw new Unsupported(at + ".anyOf is supported as one schema, or a schema and {\"type\": \"null\"}");
        List<JsonSchema> parsed = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) parsed.add(parse(options.get(i), at + ".anyOf[" + i + "]"));
        if (parsed.size() == 1) return parsed.getFirst();
        if (parsed.get(1).type() == Type.NULL) return parsed.get(0).orNull();
        if (parsed.get(0).type() == Type.NULL) return parsed.get(1).orNull();
        throw new Unsupported(at + ".anyOf is supported as one schema, or a schema and {\"type\": \"null\"}");
    }

    /**
     * Enum values and property names are matched as written, without escapes: one holding a quote,
     * a backslash or a control character could never be written, and decoding would reach a dead end.
     */
    private static void requirePlain(String text, String at) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20)
                throw new Unsupported(at + ": names and enum values with quotes, backslashes or control characters are not supported");
        }
    }

    private static Type type(JsonNode t, String at, boolean hasEnum) {
        if (t == null) return hasEnum ? Type.STRING : Type.ANY;
        if (!t.isTextual()) throw new Unsupported(at + ".type must be a type name or a list of them");
        return switch (t.asText()) {
            case "object" -> Type.OBJECT;
            case "array" -> Type.ARRAY;
            case "string" -> Type.STRING;
            case "number" -> Type.NUMBER;
            case "integer" -> Type.INTEGER;
            case "boolean" -> Type.BOOLEAN;
            case "null" -> Type.NULL;
            default -> throw new Unsupported(at + ".type '" + t.asText() + "' is not a JSON Schema type");
        };
    }
}
