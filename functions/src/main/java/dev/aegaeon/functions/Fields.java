package dev.aegaeon.functions;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Typed access to one map of a parsed spec tree; every error names the dotted field path. */
final class Fields {
    private final Map<?, ?> map;
    private final String path;

    private Fields(Map<?, ?> map, String path) {
        this.map = map;
        this.path = path;
    }

    static Fields of(Object tree, String path) {
        if (!(tree instanceof Map<?, ?> m)) throw new SpecValidationException(path, "must be an object");
        return new Fields(m, path);
    }

    private String field(String key) {
        return path.equals("(document)") ? key : path + "." + key;
    }

    void only(Set<String> allowed) {
        TreeSet<String> unknown = new TreeSet<>();
        for (Object k : map.keySet()) if (!allowed.contains(String.valueOf(k))) unknown.add(String.valueOf(k));
        if (!unknown.isEmpty())
            throw new SpecValidationException(field(unknown.first()), "is not a known field (known: " + new TreeSet<>(allowed) + ")");
    }

    String requiredString(String key) {
        return optionalString(key).orElseThrow(() -> new SpecValidationException(field(key), "is required"));
    }

    Optional<String> optionalString(String key) {
        Object v = map.get(key);
        if (v == null) return Optional.empty();
        if (!(v instanceof String s)) throw new SpecValidationException(field(key), "must be a string");
        return Optional.of(s);
    }

    Fields requiredSection(String key) {
        return section(key).orElseThrow(() -> new SpecValidationException(field(key), "is required"));
    }

    Optional<Fields> section(String key) {
        Object v = map.get(key);
        return v == null ? Optional.empty() : Optional.of(of(v, field(key)));
    }

    int integer(String key, int fallback) {
        long v = longValue(key, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new SpecValidationException(field(key), "must be a 32-bit integer");
        return (int) v;
    }

    long longValue(String key, long fallback) {
        Object v = map.get(key);
        if (v == null) return fallback;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) return ((Number) v).longValue();
        throw new SpecValidationException(field(key), "must be an integer");
    }

    Duration duration(String key, Duration fallback) {
        Object v = map.get(key);
        if (v == null) return fallback;
        if (!(v instanceof String s)) throw new SpecValidationException(field(key), Durations.RULE);
        return Durations.parse(s, field(key));
    }
}
