package dev.aegaeon.runtime.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} options after the command word; unknown or repeated options are usage errors. */
record CliArguments(String command, Map<String, String> options) {

    static CliArguments parse(String[] args, Map<String, Set<String>> allowedByCommand) {
        if (args.length == 0) throw new UsageException("no command given");
        String command = args[0];
        Set<String> allowed = allowedByCommand.get(command);
        if (allowed == null) throw new UsageException("unknown command '" + command + "'");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) throw new UsageException("unexpected argument '" + name + "'");
            String key = name.substring(2);
            if (!allowed.contains(key)) throw new UsageException("unknown option " + name + " for " + command);
            if (i + 1 >= args.length) throw new UsageException("option " + name + " needs a value");
            if (options.put(key, args[++i]) != null) throw new UsageException("option " + name + " given twice");
        }
        return new CliArguments(command, options);
    }

    String require(String key) {
        String v = options.get(key);
        if (v == null) throw new UsageException(command + " needs --" + key);
        return v;
    }

    Optional<String> optional(String key) { return Optional.ofNullable(options.get(key)); }

    int intOption(String key, int fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " must be an integer, got '" + v + "'");
        }
    }

    float floatOption(String key, float fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    Long longOption(String key) {
        String v = options.get(key);
        if (v == null) return null;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " must be an integer, got '" + v + "'");
        }
    }

    /** Comma- (or space-) separated token ids. */
    static int[] parseIds(String text) {
        String[] parts = text.trim().split("[,\\s]+");
        if (parts.length == 0 || parts[0].isEmpty()) throw new UsageException("--tokens needs at least one id");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new UsageException("--tokens: '" + parts[i] + "' is not a token id");
            }
        }
        return ids;
    }

    /** Wrong command-line usage: exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) { super(message); }
    }
}
