package dev.aegaeon.runtime.sampling;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Inlines a schema's local references ({@code "$ref": "#/$defs/Name"}, as pydantic writes nested
 * models, or {@code "#/definitions/Name"}, as zod-to-json-schema does) so {@link JsonSchema} sees
 * one tree without them. A reference may sit beside annotations only (and, at the root, the
 * definition tables). A schema that refers to
 * itself (a recursive type) or grows past {@value #MAX_NODES} nodes once inlined is refused, since
 * decoding would need an unbounded machine.
 */
final class SchemaRefs {
    static final int MAX_NODES = 10_000;
    private static final String[] DEFINITION_KEYS = {"$defs", "definitions"};

    private final JsonNode root;
    private final Deque<String> resolving = new ArrayDeque<>();
    private int nodes;

    private SchemaRefs(JsonNode root) { this.root = root; }

    /** {@code schema} without references or definition tables; the input is not modified. */
    static JsonNode inline(JsonNode schema) {
        return new SchemaRefs(schema).copy(schema, "schema", true);
    }

    /** A copy of the schema {@code node}, its references replaced; only schema positions are looked into. */
    private JsonNode copy(JsonNode node, String at, boolean isRoot) {
        if (++nodes > MAX_NODES) throw new JsonSchema.Unsupported("the schema is too large once its $refs are inlined (over " + MAX_NODES + " nodes)");
        if (!node.isObject()) return node;
        if (node.has("$ref")) return resolve((ObjectNode) node, at, isRoot);
        ObjectNode out = ((ObjectNode) node).objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            JsonNode v = f.getValue();
            if (isRoot && isDefinitions(k)) continue;
            if (k.equals("items")) {
                out.set(k, copy(v, at + ".items", false));
            } else if (k.equals("properties") && v.isObject()) {
                ObjectNode props = out.putObject(k);
                for (Iterator<Map.Entry<String, JsonNode>> p = v.fields(); p.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = p.next();
                    props.set(e.getKey(), copy(e.getValue(), at + ".properties." + e.getKey(), false));
                }
            } else if (k.equals("anyOf") && v.isArray()) {
                ArrayNode options = out.putArray(k);
                for (int i = 0; i < v.size(); i++) options.add(copy(v.get(i), at + ".anyOf[" + i + "]", false));
            } else {
                out.set(k, v.deepCopy());
            }
        }
        return out;
    }

    private JsonNode resolve(ObjectNode node, String at, boolean isRoot) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("$ref") && !JsonSchema.isAnnotation(k) && !(isRoot && isDefinitions(k)))
                throw new JsonSchema.Unsupported(at + ": $ref with '" + k + "' beside it is not supported");
        }
        JsonNode ref = node.get("$ref");
        String target = ref.isTextual() ? ref.asText() : "";
        for (String table : DEFINITION_KEYS) {
            String prefix = "#/" + table + "/";
            if (!target.startsWith(prefix)) continue;
            String name = target.substring(prefix.length());
            JsonNode definition = root.path(table).path(name);
            if (!definition.isObject() && !definition.isBoolean())
                throw new JsonSchema.Unsupported(at + ".$ref '" + target + "' names no definition of the schema");
            if (resolving.contains(target))
                throw new JsonSchema.Unsupported(at + ".$ref '" + target + "' refers to itself: recursive schemas are not supported");
            resolving.push(target);
            try {
                return copy(definition, at + "(" + target + ")", false);
            } finally {
                resolving.pop();
            }
        }
        throw new JsonSchema.Unsupported(at + ".$ref must be a local reference '#/$defs/Name' or '#/definitions/Name'");
    }

    private static boolean isDefinitions(String key) {
        for (String k : DEFINITION_KEYS) if (k.equals(key)) return true;
        return false;
    }
}
