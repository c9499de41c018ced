package dev.aegaeon.platform.engine;

import java.util.List;

/**
 * The trivial engine's tokenizer: one token per Unicode code point, so token counts are exact and
 * predictable in tests, and every token decodes to valid text on its own. Chat prompts are
 * rendered with a minimal ChatML-like template.
 */
final class CodePointTokenizer {
    private CodePointTokenizer() {}

    static int[] encode(Prompt prompt) {
        return render(prompt).codePoints().toArray();
    }

    static String render(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t -> t.text();
            case Prompt.Chat c -> renderChat(c.messages());
        };
    }

    private static String renderChat(List<Prompt.Message> messages) {
        StringBuilder sb = new StringBuilder();
        for (Prompt.Message m : messages) sb.append('<').append(m.role()).append(">\n").append(m.content()).append('\n');
        return sb.append("<assistant>\n").toString();
    }

    static String decode(int token) {
        return Character.toString(token);
    }
}
