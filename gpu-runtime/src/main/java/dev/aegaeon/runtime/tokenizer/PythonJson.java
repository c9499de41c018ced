package dev.aegaeon.runtime.tokenizer;

import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=indent)}, which HF's chat templates
 * call through their {@code tojson} filter. Jinjava's own tojson is compact ({@code {"a":1}});
 * Python's default separators are {@code ", "} and {@code ": "} (or {@code ","} with an indent), and
 * tool schemas rendered into prompts must match byte for byte.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, Integer indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, Integer indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Double d -> sb.append(floatRepr(d));
            case Float f -> sb.append(floatRepr(f.doubleValue()));
            case Number n -> sb.append(n);
            case CharSequence s -> quote(sb, s.toString());
            case Map<?, ?> m -> container(sb, m.entrySet().iterator(), m.isEmpty(), '{', '}', indent, depth, true);
            case Iterable<?> it -> container(sb, it.iterator(), !it.iterator().hasNext(), '[', ']', indent, depth, false);
            case Object[] arr -> container(sb, java.util.Arrays.asList(arr).iterator(), arr.length == 0, '[', ']', indent, depth, false);
            default -> quote(sb, v.toString());
        }
    }

    private static void container(StringBuilder sb, Iterator<?> items, boolean empty, char open, char close,
                                  Integer indent, int depth, boolean isMap) {
        sb.append(open);
        if (empty) {
            sb.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            Object item = items.next();
            if (!first) sb.append(indent == null ? ", " : ",");
            first = false;
            if (indent != null) newline(sb, indent, depth + 1);
            if (isMap) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent, depth + 1);
            } else {
                write(sb, item, indent, depth + 1);
            }
        }
        if (indent != null) newline(sb, indent, depth);
        sb.append(close);
    }

    private static void newline(StringBuilder sb, int indent, int depth) {
        sb.append('\n');
        sb.append(" ".repeat(indent * depth));
    }

    /** Python's float repr: shortest round-trip digits, "1.0" for integral values, "1e-06" style exponents. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format("%.1f", d);
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
