package dev.aegaeon.platform.invoke;

import dev.aegaeon.platform.engine.Prompt;

/**
 * A prompt's size before tokenizing: tokenizing megabytes costs seconds, and a prompt far longer
 * than any function's context is refused without it. The bound is loose on purpose: no token of the
 * supported vocabularies spans more than {@value #MAX_CHARS_PER_TOKEN} characters, so a prompt of
 * more characters than that many times the token limit cannot fit, whatever the tokenizer does.
 */
final class PromptSize {
    static final int MAX_CHARS_PER_TOKEN = 256;

    private PromptSize() {}

    /** Characters of text (UTF-16 units, at most its UTF-8 bytes); for token ids, their count. */
    static long characters(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t -> t.text().length();
            case Prompt.Tokens t -> t.ids().length;
            case Prompt.Chat c -> {
                long n = 0;
                for (Prompt.Message m : c.messages()) n += m.role().length() + m.content().length();
                yield n;
            }
        };
    }

    /** Whether the prompt is certainly longer than {@code maxPromptTokens} tokens. */
    static boolean certainlyTooLong(Prompt prompt, int maxPromptTokens) {
        return characters(prompt) > (long) maxPromptTokens * MAX_CHARS_PER_TOKEN;
    }
}
