package dev.aegaeon.platform.engine;

import java.util.List;

/**
 * The trivial engine's tokenizer: one token per Unicode code point, so token counts are exact and
 * predictable in tests, and every token decodes to valid text on its own. Chat prompts are
 * rendered with a minimal ChatML-like template.
 */
final class CodePointTokenizer {
    private CodePointTokenizer() {}

    /** Token ids of the prompt; given ids must be Unicode scalar values (this tokenizer's vocabulary). */
    static int[] encode(Prompt prompt) throws BackendException.InvalidRequest {
        return switch (prompt) {
            case Prompt.Text t -> t.text().codePoints().toArray();
            case Prompt.Chat c -> renderChat(c.messages()).codePoints().toArray();
            case Prompt.Tokens t -> checkedIds(t.ids());
        };
    }

    private static int[] checkedIds(int[] ids) throws BackendException.InvalidRequest {
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id > Character.MAX_CODE_POINT || (id >= Character.MIN_SURROGATE && id <= Character.MAX_SURROGATE))
                throw new BackendException.InvalidRequest("prompt", "Invalid token id " + id + " at 'prompt[" + i
                        + "]': this model's vocabulary is the Unicode code points (0 to " + Character.MAX_CODE_POINT + ", no surrogates).");
        }
        return ids;
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
