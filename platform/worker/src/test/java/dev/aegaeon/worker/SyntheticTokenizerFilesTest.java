package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticTokenizerFilesTest {
    @Test
    void theTokenizerWorksAndItsTemporaryDirectoryIsGoneOnceLoaded(@TempDir Path tempRoot) throws Exception {
        try (SyntheticTokenizerFiles files = SyntheticTokenizerFiles.create(tempRoot)) {
            try (Stream<Path> left = Files.list(tempRoot)) {
                assertEquals(0, left.count(), "no aegaeon-synthetic-tokenizer-* directory outlives the load");
            }
            int[] ids = files.tokenizer().encode("hello", false);
            assertTrue(ids.length > 0);
            assertEquals("hello", files.tokenizer().decode(ids, true));
            assertTrue(files.template().isPresent(), "the ChatML template was read before the files went");
        }
    }
}
