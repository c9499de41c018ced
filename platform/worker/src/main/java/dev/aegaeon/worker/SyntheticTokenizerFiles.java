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
            return new SyntheticTokenizerFiles(dir, TextTokenizer.load(dir), ChatTemplate.load(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer: " + e.getMessage(), e);
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
