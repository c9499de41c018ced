package dev.aegaeon.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the few Python-only expression forms real chat templates use into Jinjava syntax
 * before parsing:
 * <ul>
 *   <li>the reversing slice {@code x[::-1]} (Qwen3's template iterates {@code messages[::-1]}),
 *       which Jinjava's parser rejects, becomes {@code x|reverse|list};</li>
 *   <li>keyword arguments of {@code namespace(...)} get parentheses around their values: Jinjava
 *       binds {@code name=value} tighter than arithmetic, so Qwen3's
 *       {@code namespace(last_query_index=messages|length - 1)} would subtract 1 from the
 *       argument itself, where Jinja2 passes {@code (messages|length) - 1}.</li>
 * </ul>
 */
final class PythonSyntax {
    private PythonSyntax() {}

    static String rewrite(String template) {
        return namespaceArguments(template.replace("[::-1]", "|reverse|list"));
    }

    private static final String NAMESPACE = "namespace(";

    static String namespaceArguments(String s) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int at = s.indexOf(NAMESPACE); at >= 0; at = s.indexOf(NAMESPACE, from)) {
            int open = at + NAMESPACE.length() - 1;
            int close = matching(s, open);
            if (close < 0) break;
            out.append(s, from, open + 1);
            List<String> args = splitTopLevel(s.substring(open + 1, close));
            for (int i = 0; i < args.size(); i++) {
                if (i > 0) out.append(',');
                out.append(parenthesised(args.get(i)));
            }
            out.append(')');
            from = close + 1;
        }
        return out.append(s.substring(from)).toString();
    }

    private static String parenthesised(String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0 || eq + 1 >= arg.length() || arg.charAt(eq + 1) == '=' || "!<>".indexOf(arg.charAt(eq - 1)) >= 0) return arg;
        String name = arg.substring(0, eq);
        if (!name.strip().matches("[A-Za-z_][A-Za-z0-9_]*")) return arg;
        String value = arg.substring(eq + 1);
        return name + "=(" + value + ")";
    }

    /** Index of the bracket closing the one at {@code open}, skipping quoted strings; -1 if none. */
    private static int matching(String s, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) return i;
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
