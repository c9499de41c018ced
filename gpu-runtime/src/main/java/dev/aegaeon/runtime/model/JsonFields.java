package dev.aegaeon.runtime.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed reads of HF JSON config files; every failure names the file and the field. */
final class JsonFields {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final JsonNode root;
    private final String file;

    private JsonFields(JsonNode root, String file) {
        this.root = root;
        this.file = file;
    }

    static JsonFields read(Path path) {
        JsonNode node;
        try {
            node = MAPPER.readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new ModelConfigException(path + " does not exist");
        } catch (JacksonException e) {
            throw new ModelConfigException(path + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelConfigException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ModelConfigException(path + " must hold a JSON object");
        }
        return new JsonFields(node, path.toString());
    }

    static JsonFields of(JsonNode root, String file) {
        if (root == null || !root.isObject()) throw new ModelConfigException(file + " must hold a JSON object");
        return new JsonFields(root, file);
    }

    String file() { return file; }

    JsonNode root() { return root; }

    /** The field, or empty when absent or JSON null (HF treats both as "use the default"). */
    Optional<JsonNode> get(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    boolean has(String field) { return get(field).isPresent(); }

    /** True when the key is written at all, even as JSON null (HF: explicit null overrides the default). */
    boolean present(String field) { return root.has(field); }

    int requireInt(String field) {
        return optInt(field).orElseThrow(() -> missing(field));
    }

    int intOr(String field, int fallback) { return optInt(field).orElse(fallback); }

    Optional<Integer> optInt(String field) {
        return get(field).map(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw wrongType(field, "an integer", n);
            return n.intValue();
        });
    }

    double requireDouble(String field) {
        return optDouble(field).orElseThrow(() -> missing(field));
    }

    Optional<Double> optDouble(String field) {
        return get(field).map(n -> {
            if (!n.isNumber()) throw wrongType(field, "a number", n);
            return n.doubleValue();
        });
    }

    Optional<Boolean> optBoolean(String field) {
        return get(field).map(n -> {
            if (!n.isBoolean()) throw wrongType(field, "true or false", n);
            return n.booleanValue();
        });
    }

    Optional<String> optString(String field) {
        return get(field).map(n -> {
            if (!n.isTextual()) throw wrongType(field, "a string", n);
            return n.textValue();
        });
    }

    Optional<JsonFields> optObject(String field) {
        return get(field).map(n -> {
            if (!n.isObject()) throw wrongType(field, "an object", n);
            return new JsonFields(n, file + " field " + field);
        });
    }

    /** An int or a list of ints (HF's eos_token_id); empty list when absent. */
    List<Integer> intOrIntList(String field) {
        Optional<JsonNode> node = get(field);
        if (node.isEmpty()) return List.of();
        JsonNode n = node.get();
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) throw wrongType(field, "an integer or a list of integers", n);
                out.add(e.intValue());
            }
        } else if (n.isIntegralNumber() && n.canConvertToInt()) {
            out.add(n.intValue());
        } else {
            throw wrongType(field, "an integer or a list of integers", n);
        }
        return out;
    }

    ModelConfigException missing(String field) {
        return new ModelConfigException(file + ": required field \"" + field + "\" is missing");
    }

    private ModelConfigException wrongType(String field, String expected, JsonNode actual) {
        String shown = actual.toString();
        if (shown.length() > 80) shown = shown.substring(0, 80) + "...";
        return new ModelConfigException(file + ": field \"" + field + "\" must be " + expected + ", got " + shown);
    }
}
