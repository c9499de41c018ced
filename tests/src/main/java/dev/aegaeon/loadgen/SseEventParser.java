package dev.aegaeon.loadgen;

import java.util.Optional;

/**
 * Server-sent events as the WHATWG spec frames them, for one stream fed line by line: {@code data:}
 * lines (one optional space after the colon dropped) accumulate, joined by newlines, and a blank
 * line dispatches the event; comments ({@code :...}) and other fields are ignored. Not thread-safe:
 * one parser per stream.
 */
public final class SseEventParser {
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    /** Feeds one line (without its terminator); returns the event's data when this line completes one. */
    public Optional<String> accept(String line) {
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        if (line.isEmpty()) {
            if (!hasData) return Optional.empty();
            String event = data.toString();
            data.setLength(0);
            hasData = false;
            return Optional.of(event);
        }
        if (line.startsWith(":")) return Optional.empty();
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (!field.equals("data")) return Optional.empty();
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) value = value.substring(1);
        if (hasData) data.append('\n');
        data.append(value);
        hasData = true;
        return Optional.empty();
    }
}
