package dev.aegaeon.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options. */
public record Args(Map<String, String> values) {
    public static Args parse(String[] args, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
            m.put(args[i].substring(2), args[++i]);
        }
        return new Args(m);
    }

    public String required(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public double number(String name, double dflt) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }
}
