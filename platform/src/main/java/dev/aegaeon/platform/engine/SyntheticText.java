package dev.aegaeon.platform.engine;

import java.util.SplittableRandom;

/**
 * The text the trivial engine "generates": a reply naming the function (so tests can tell which
 * function answered), an echo of the prompt's last line, then seeded filler words, then end of
 * sequence. Same function, prompt and seed give the same text.
 */
final class SyntheticText {
    private SyntheticText() {}

    private static final String[] WORDS = {
        "token", "slice", "model", "switch", "decode", "prefill", "batch", "quota", "cache", "block",
        "swap", "serve", "queue", "scale", "warm", "cold", "hot", "kernel", "stream", "round",
    };
    static final int FILLER_WORDS = 12;
    static final int MAX_ECHO = 64;

    static String script(String function, EncodedPrompt prompt, long seed) {
        int[] cps = prompt.tokens();
        String rendered = new String(cps, 0, cps.length);
        String lastLine = lastNonBlankLine(rendered);
        if (lastLine.codePointCount(0, lastLine.length()) > MAX_ECHO)
            lastLine = lastLine.substring(0, lastLine.offsetByCodePoints(0, MAX_ECHO));
        StringBuilder sb = new StringBuilder().append('[').append(function).append("] ").append(lastLine);
        SplittableRandom random = new SplittableRandom(seed ^ rendered.hashCode());
        for (int i = 0; i < FILLER_WORDS; i++) sb.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        return sb.append('.').toString();
    }

    private static String lastNonBlankLine(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !(l.startsWith("<") && l.endsWith(">"))) return l;
        }
        return "";
    }
}
