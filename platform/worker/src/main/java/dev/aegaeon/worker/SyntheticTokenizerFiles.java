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

/**
 * The synthetic tokenizer and its ChatML template, shared by all synthetic models. Both are read
 * into memory from a temporary directory that is deleted before {@link #create} returns, so no
 * directory outlives the load, whether or not the pool is ever closed.
 */
record SyntheticTokenizerFiles(TextTokenizer tokenizer, Optional<ChatTemplate> template) implements AutoCloseable {

    static SyntheticTokenizerFiles create() {
        return create(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Writes the files under {@code tempRoot}, loads them, and deletes them again. */
    static SyntheticTokenizerFiles create(Path tempRoot) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(tempRoot, "aegaeon-synthetic-tokenizer-");
            SyntheticTokenizer.write(dir);
            return new SyntheticTokenizerFiles(TextTokenizer.load(dir), templateOrNone(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer: " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteQuietly(dir);
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
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans it eventually
        }
    }
}
