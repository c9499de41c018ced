package dev.aegaeon.runtime.sampling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One sequence's {@code response_format}: before each draw, {@link #mask} sets to -inf the logit of
 * every token whose text would make the output stop being a prefix of a valid value; a stop token
 * is allowed only once the value is complete. {@link #accept} advances with the chosen token, and
 * {@link #done} says the value is complete (the sequence then stops).
 */
public final class JsonConstraint {
    private final JsonMachine machine;
    private final TokenTexts texts;
    private final List<Integer> stopTokenIds;

    public JsonConstraint(JsonSchema schema, TokenTexts texts, List<Integer> stopTokenIds) {
        this(new JsonMachine(schema), texts, stopTokenIds);
    }

    private JsonConstraint(JsonMachine machine, TokenTexts texts, List<Integer> stopTokenIds) {
        this.machine = machine;
        this.texts = texts;
        this.stopTokenIds = stopTokenIds;
    }

    public static JsonConstraint of(ResponseFormat format, TokenTexts texts, List<Integer> stopTokenIds) {
        return switch (format) {
            case ResponseFormat.Text t -> null;
            case ResponseFormat.JsonObject o -> new JsonConstraint(JsonSchema.ANY_OBJECT, texts, stopTokenIds);
            case ResponseFormat.Schema s -> new JsonConstraint(new JsonMachine(s.schema(), s.compact()), texts, stopTokenIds);
        };
    }

    /** Masks the disallowed tokens of {@code row}; returns how many stay allowed. */
    public int mask(float[] row) {
        int allowed = 0;
        boolean canEnd = machine.canEnd();
        // most tokens fail on their first character: try each distinct one once per step
        Map<Character, Boolean> firstChar = new HashMap<>();
        for (int id = 0; id < row.length; id++) {
            if (row[id] == Float.NEGATIVE_INFINITY) continue;
            if (allows(id, canEnd, firstChar)) allowed++;
            else row[id] = Float.NEGATIVE_INFINITY;
        }
        return allowed;
    }

    private boolean allows(int id, boolean canEnd, Map<Character, Boolean> firstChar) {
        if (stopTokenIds.contains(id)) return canEnd;
        if (id >= texts.size()) return false;
        String text = texts.text(id);
        if (text.isEmpty()) return false;
        if (machine.takesAsPlainString(text)) return true;
        if (!firstChar.computeIfAbsent(text.charAt(0), c -> machine.copy().feed(c))) return false;
        return text.length() == 1 || machine.copy().feed(text);
    }

    public void accept(int id) {
        if (stopTokenIds.contains(id) || id >= texts.size()) return;
        machine.feed(texts.text(id));
    }

    public boolean done() { return machine.done(); }
}
