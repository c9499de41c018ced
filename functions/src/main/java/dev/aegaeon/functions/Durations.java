package dev.aegaeon.functions;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as specs write them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT10S}. */
public final class Durations {
    private Durations() {}

    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    static final String RULE = "must be a duration like 250ms, 10s, 5m, 1h or PT10S";

    public static Duration parse(String text, String field) {
        if (text == null) throw new SpecValidationException(field, RULE);
        String t = text.strip();
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new SpecValidationException(field, RULE + " (was \"" + text + "\")");
        }
    }

    /** The shortest exact short form ({@code 100ms}, {@code 10s}, {@code 5m}); round-trips through {@link #parse}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (!Duration.ofMillis(ms).equals(d)) return d.toString();
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms != 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
