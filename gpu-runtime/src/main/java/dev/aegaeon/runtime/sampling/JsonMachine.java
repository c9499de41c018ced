package dev.aegaeon.runtime.sampling;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * A character-level pushdown recognizer of one JSON value (RFC 8259) valid against a
 * {@link JsonSchema}: {@link #feed} accepts a character only if the text so far stays a prefix of
 * such a value. {@link #copy} is cheap enough to try every vocabulary token from the same state.
 *
 * <p>Whitespace before the value and between its tokens is bounded as llama.cpp's JSON grammars bound
 * it: nothing, one space, or a newline and at most {@value #MAX_INDENT} spaces or tabs. Unbounded, a
 * model that favours blank lines spends its whole budget on them and never writes the value (a known
 * failure of JSON mode); bounded, compact, spaced and indented JSON are all still accepted. A
 * compact machine takes one line only: no whitespace before the value, at most one space between
 * tokens. Nothing may follow the value.
 */
public final class JsonMachine {
    static final int MAX_INDENT = 20;
    private static final int GAP_EMPTY = -2, GAP_SPACE = -1;

    private final ArrayList<Frame> stack;
    private final boolean compact;
    /** The whitespace since the last other character: empty, one space, or a newline and this many indent characters. */
    private int gap = GAP_EMPTY;

    public JsonMachine(JsonSchema root) { this(root, false); }

    public JsonMachine(JsonSchema root, boolean compact) {
        this.compact = compact;
        stack = new ArrayList<>();
        stack.add(new ValueFrame(root));
    }

    private JsonMachine(ArrayList<Frame> frames, boolean compact) {
        stack = frames;
        this.compact = compact;
    }

    public JsonMachine copy() {
        ArrayList<Frame> frames = new ArrayList<>(stack.size() + 2);
        for (Frame f : stack) frames.add(f.copy());
        JsonMachine m = new JsonMachine(frames, compact);
        m.gap = gap;
        return m;
    }

    /** True when the value is complete and nothing more may follow. */
    public boolean done() { return stack.isEmpty(); }

    /** True when the text is a complete value (a top-level number may still grow). */
    public boolean canEnd() {
        return stack.isEmpty() || stack.size() == 1 && stack.getFirst() instanceof NumberFrame n && n.accepting();
    }

    /**
     * True when the machine is inside a free string value (no enum, not a key, not in an escape) and
     * {@code text} holds no quote, backslash or control character: then {@code text} is accepted
     * without trying it on a copy, the common case while a model writes a string.
     */
    public boolean takesAsPlainString(String text) {
        if (stack.isEmpty() || !(stack.getLast() instanceof StringFrame f) || f.keepText || f.escape != 0) return false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) return false;
        }
        return true;
    }

    /** Feeds every character; false (and an undefined state) as soon as one is refused. */
    public boolean feed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) if (!feed(text.charAt(i))) return false;
        return true;
    }

    public boolean feed(char c) {
        if (!whitespace(c)) gap = GAP_EMPTY;
        while (true) {
            if (stack.isEmpty()) return false;
            Frame top = stack.getLast();
            Step r = top.feed(c, this);
            if (r == Step.REFUSED) return false;
            if (r == Step.TAKEN) return true;
            // Step.ENDED_BEFORE: the top (a number) ended before c; c belongs to its parent
            pop();
        }
    }

    private enum Step { TAKEN, REFUSED, ENDED_BEFORE }

    private void push(Frame f) { stack.add(f); }

    /** The top frame's value is complete: its parent moves on. */
    private void pop() { pop(null); }

    /** The top frame's value is complete ({@code text}: a string's content): its parent moves on. */
    private void pop(String text) {
        stack.removeLast();
        if (!stack.isEmpty()) stack.getLast().childDone(text);
    }

    private static boolean whitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

    /** Whitespace between tokens, within the bound on each gap. */
    private Step space(char c) {
        if (compact && (c != ' ' || gap != GAP_EMPTY || stack.size() == 1 && stack.getFirst() instanceof ValueFrame)) return Step.REFUSED;
        if (gap == GAP_EMPTY && (c == ' ' || c == '\n')) gap = c == ' ' ? GAP_SPACE : 0;
        else if (gap >= 0 && gap < MAX_INDENT && (c == ' ' || c == '\t')) gap++;
        else return Step.REFUSED;
        return Step.TAKEN;
    }

    private abstract static class Frame {
        abstract Step feed(char c, JsonMachine m);
        void childDone(String text) {}
        abstract Frame copy();
    }

    /** Expects a value of {@code schema}; replaced by the frame of the value it starts. */
    private static final class ValueFrame extends Frame {
        final JsonSchema schema;
        ValueFrame(JsonSchema schema) { this.schema = schema; }

        Step feed(char c, JsonMachine m) {
            if (whitespace(c)) return m.space(c);
            JsonSchema.Type t = schema.type();
            boolean any = t == JsonSchema.Type.ANY;
            Frame next;
            if (c == '{' && (any || t == JsonSchema.Type.OBJECT)) next = new ObjectFrame(schema);
            else if (c == '[' && (any || t == JsonSchema.Type.ARRAY)) next = new ArrayFrame(schema.items());
            else if (c == '"' && (any || t == JsonSchema.Type.STRING)) next = new StringFrame(schema.enumValues());
            else if ((c == '-' || c >= '0' && c <= '9') && (any || t == JsonSchema.Type.NUMBER || t == JsonSchema.Type.INTEGER)) {
                NumberFrame n = new NumberFrame(t == JsonSchema.Type.INTEGER);
                m.stack.set(m.stack.size() - 1, n);
                return n.feed(c, m);
            } else if ((c == 't' || c == 'f') && (any || t == JsonSchema.Type.BOOLEAN)) next = new LiteralFrame(c == 't' ? "rue" : "alse");
            else if (c == 'n' && (any || t == JsonSchema.Type.NULL || schema.nullable())) next = new LiteralFrame("ull");
            else return Step.REFUSED;
            m.stack.set(m.stack.size() - 1, next);
            return Step.TAKEN;
        }

        Frame copy() { return this; } // immutable
    }

    private static final class ObjectFrame extends Frame {
        enum S { FIRST_KEY_OR_END, KEY, COLON, VALUE, COMMA_OR_END, NEXT_KEY }
        final JsonSchema schema;
        S state = S.FIRST_KEY_OR_END;
        Set<String> seen = new HashSet<>();
        boolean seenShared; // copy-on-write: copies share the set until one of them adds a name
        String key;

        ObjectFrame(JsonSchema schema) { this.schema = schema; }

        Step feed(char c, JsonMachine m) {
            switch (state) {
                case FIRST_KEY_OR_END, NEXT_KEY, COMMA_OR_END -> {
                    if (whitespace(c)) return m.space(c);
                    if (c == '"' && state != S.COMMA_OR_END) {
                        Set<String> names = schema.allowedNames();
                        Set<String> allowed = null;
                        if (names != null) {
                            allowed = new HashSet<>(names);
                            allowed.removeAll(seen);
                            if (allowed.isEmpty()) return Step.REFUSED;
                        }
                        state = S.KEY;
                        m.push(new StringFrame(allowed, true));
                        return Step.TAKEN;
                    }
                    if (c == '}' && state != S.NEXT_KEY) {
                        if (!seen.containsAll(schema.required())) return Step.REFUSED;
                        m.pop();
                        return Step.TAKEN;
                    }
                    if (c == ',' && state == S.COMMA_OR_END) {
                        // a comma with no name left to write would be a dead end: only '}' could follow, and it may not
                        if (schema.allowedNames() != null && seen.containsAll(schema.allowedNames())) return Step.REFUSED;
                        state = S.NEXT_KEY;
                        return Step.TAKEN;
                    }
                    return Step.REFUSED;
                }
                case COLON -> {
                    if (whitespace(c)) return m.space(c);
                    if (c != ':') return Step.REFUSED;
                    state = S.VALUE;
                    m.push(new ValueFrame(schema.property(key)));
                    return Step.TAKEN;
                }
                default -> { return Step.REFUSED; }
            }
        }

        void childDone(String text) {
            if (state == S.KEY) {
                key = text;
                if (seenShared) {
                    seen = new HashSet<>(seen);
                    seenShared = false;
                }
                seen.add(text);
                state = S.COLON;
            } else {
                state = S.COMMA_OR_END;
            }
        }

        Frame copy() {
            ObjectFrame f = new ObjectFrame(schema);
            f.state = state;
            f.seen = seen;
            f.seenShared = seenShared = true;
            f.key = key;
            return f;
        }
    }

    private static final class ArrayFrame extends Frame {
        enum S { FIRST_OR_END, COMMA_OR_END, NEXT }
        final JsonSchema items;
        S state = S.FIRST_OR_END;

        ArrayFrame(JsonSchema items) { this.items = items; }

        Step feed(char c, JsonMachine m) {
            if (whitespace(c)) return m.space(c);
            if (c == ']' && state != S.NEXT) {
                m.pop();
                return Step.TAKEN;
            }
            if (state == S.COMMA_OR_END) {
                if (c != ',') return Step.REFUSED;
                state = S.NEXT;
                return Step.TAKEN;
            }
            ValueFrame v = new ValueFrame(items);
            m.push(v);
            Step r = v.feed(c, m);
            if (r == Step.REFUSED) m.stack.removeLast();
            return r;
        }

        void childDone(String text) { state = S.COMMA_OR_END; }

        Frame copy() {
            ArrayFrame f = new ArrayFrame(items);
            f.state = state;
            return f;
        }
    }

    /**
     * A string's characters after its opening quote. With {@code allowed} it must spell one of those
     * values exactly (no escapes); as an object key it must not repeat a name its object has.
     */
    private static final class StringFrame extends Frame {
        final Set<String> allowed;
        final boolean key;
        /** Only an enum or a key needs its text; a free string value does not, and its copies stay cheap. */
        final boolean keepText;
        final StringBuilder text = new StringBuilder();
        int escape; // 0: none, 1: after a backslash, 2..5: the four hex digits of a u escape

        StringFrame(Set<String> allowed) { this(allowed, false); }

        StringFrame(Set<String> allowed, boolean key) {
            this.allowed = allowed;
            this.key = key;
            this.keepText = allowed != null || key;
        }

        Step feed(char c, JsonMachine m) {
            if (escape == 1) {
                if ("\"\\/bfnrt".indexOf(c) >= 0) escape = 0;
                else if (c == 'u') escape = 2;
                else return Step.REFUSED;
                if (keepText) text.append('\\').append(c);
                return Step.TAKEN;
            }
            if (escape >= 2) {
                if (Character.digit(c, 16) < 0) return Step.REFUSED;
                escape = escape == 5 ? 0 : escape + 1;
                if (keepText) text.append(c);
                return Step.TAKEN;
            }
            if (c == '"') {
                String value = text.toString();
                if (allowed != null && !allowed.contains(value)) return Step.REFUSED;
                if (key && ((ObjectFrame) m.stack.get(m.stack.size() - 2)).seen.contains(value)) return Step.REFUSED;
                m.pop(value);
                return Step.TAKEN;
            }
            if (c < 0x20) return Step.REFUSED;
            if (c == '\\') {
                if (allowed != null) return Step.REFUSED;
                escape = 1;
                return Step.TAKEN;
            }
            if (keepText) text.append(c);
            if (allowed != null) {
                String prefix = text.toString();
                for (String a : allowed) if (a.startsWith(prefix)) return Step.TAKEN;
                return Step.REFUSED;
            }
            return Step.TAKEN;
        }

        Frame copy() {
            StringFrame f = new StringFrame(allowed, key);
            if (keepText) f.text.append(text);
            f.escape = escape;
            return f;
        }
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}; integers stop before '.' and 'e'. */
    private static final class NumberFrame extends Frame {
        enum S { START, SIGN, ZERO, INT, DOT, FRAC, E, E_SIGN, EXP }
        final boolean integer;
        S state = S.START;

        NumberFrame(boolean integer) { this.integer = integer; }

        boolean accepting() { return state == S.ZERO || state == S.INT || state == S.FRAC || state == S.EXP; }

        Step feed(char c, JsonMachine m) {
            boolean digit = c >= '0' && c <= '9';
            S next = switch (state) {
                case START -> c == '-' ? S.SIGN : c == '0' ? S.ZERO : digit ? S.INT : null;
                case SIGN -> c == '0' ? S.ZERO : digit ? S.INT : null;
                case ZERO -> !integer && c == '.' ? S.DOT : !integer && (c == 'e' || c == 'E') ? S.E : null;
                case INT -> digit ? S.INT : !integer && c == '.' ? S.DOT : !integer && (c == 'e' || c == 'E') ? S.E : null;
                case DOT, FRAC -> digit ? S.FRAC : state == S.FRAC && (c == 'e' || c == 'E') ? S.E : null;
                case E -> c == '+' || c == '-' ? S.E_SIGN : digit ? S.EXP : null;
                case E_SIGN, EXP -> digit ? S.EXP : null;
            };
            if (next != null) {
                state = next;
                return Step.TAKEN;
            }
            // the number ends before c, which must then suit the parent (a top-level number has none)
            return accepting() && m.stack.size() > 1 ? Step.ENDED_BEFORE : Step.REFUSED;
        }

        Frame copy() {
            NumberFrame f = new NumberFrame(integer);
            f.state = state;
            return f;
        }
    }

    /** The rest of {@code true}, {@code false} or {@code null}. */
    private static final class LiteralFrame extends Frame {
        final String rest;
        int at;

        LiteralFrame(String rest) { this.rest = rest; }

        Step feed(char c, JsonMachine m) {
            if (c != rest.charAt(at)) return Step.REFUSED;
            if (++at == rest.length()) m.pop();
            return Step.TAKEN;
        }

        Frame copy() {
            LiteralFrame f = new LiteralFrame(rest);
            f.at = at;
            return f;
        }
    }
}
