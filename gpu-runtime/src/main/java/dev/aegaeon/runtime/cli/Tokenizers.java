package dev.aegaeon.runtime.cli;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Adapts the model's tokenizer and chat template (when it has them) to {@link TextCodec}. */
final class Tokenizers {
    private Tokenizers() {}

    /** Wraps an HF directory's tokenizer and (optional) chat template. */
    static TextCodec codec(TextTokenizer tokenizer, Optional<ChatTemplate> template, String origin) {
        return new Codec(tokenizer, template, origin);
    }

    /** The synthetic byte-level tokenizer with ChatML, when the synthetic vocabulary covers it. */
    static Optional<TextCodec> synthetic(ModelConfig config) {
        if (config.vocabSize() < SyntheticTokenizer.VOCAB_SIZE) return Optional.empty();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("aegaeon-tokenizer");
            SyntheticTokenizer.write(dir);
            return Optional.of(new Codec(TextTokenizer.load(dir),
                    Optional.of(new ChatTemplate(SyntheticTokenizer.CHATML_TEMPLATE, null, SyntheticTokenizer.IM_END)), "synthetic"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer: " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }

    private record Codec(TextTokenizer tokenizer, Optional<ChatTemplate> template, String origin) implements TextCodec {

        @Override
        public int[] encode(String text) { return tokenizer.encode(text, true); }

        @Override
        public int[] encodeChat(String userMessage) {
            ChatTemplate t = template.orElseThrow(() -> new IllegalArgumentException(
                    "model " + origin + " has no chat_template in tokenizer_config.json; use --prompt"));
            // the rendered template spells out its special tokens: do not add them again
            return tokenizer.encode(t.render(List.of(ChatMessage.user(userMessage)), true), false);
        }

        @Override
        public String decode(int[] ids) { return tokenizer.decode(ids, true); }

        @Override
        public void close() { tokenizer.close(); }
    }
}
