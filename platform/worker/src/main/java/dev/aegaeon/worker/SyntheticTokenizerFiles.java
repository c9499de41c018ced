package dev.aegaeon.worker;

import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** The synthetic tokenizer and its ChatML template, written to a temporary directory shared by all synthetic models. */
record SyntheticTokenizerFiles(Path dir, TextTokenizer tokenizer, Optional<ChatTemplate> template) implements AutoCloseable {

    static SyntheticTokenizerFiles create() {
        try {
            Path dir = Files.createTempDirectory("aegaeon-synthetic-tokenizer-");
            SyntheticTokenizer.write(dir);
            return new SyntheticTokenizerFiles(dir, TextTokenizer.load(dir), templateOrNone(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer: " + e.getMessage(), e);
        }
    }

    /** The ChatML template, or none where its engine cannot load (a trimmed runtime without java.desktop): ids and text still work. */
    private static Optional<ChatTemplate> templateOrNone(Path dir) {
        try {
            return ChatTemplate.load(dir);
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(SyntheticTokenizerFiles.class.getName()).log(System.Logger.Level.WARNING,
                    "synthetic models will have no chat template: " + e);
            return Optional.empty();
        }
    }

    int vocabSize() { return SyntheticTokenizer.VOCAB_SIZE; }

    @Override
    public void close() {
        tokenizer.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans it eventually
        }
    }
}
