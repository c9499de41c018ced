package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static dev.aegaeon.runtime.weights.SafetensorsFixtures.f32;
import static dev.aegaeon.runtime.weights.SafetensorsFixtures.write;
import static org.junit.jupiter.api.Assertions.*;

/** Equal identities must mean equal bytes; anything that could change the bytes must change the identity. */
class WeightIdentityTest {

    @TempDir Path dir;

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";

    @Test
    void syntheticIdentityFollowsConfigSeedAndDtype() {
        ModelConfig qwen = ModelShapes.tiny(ModelFamily.QWEN2), llama = ModelShapes.tiny(ModelFamily.LLAMA);
        try (var a = new SyntheticWeights(qwen, 1); var same = new SyntheticWeights(qwen, 1);
             var otherSeed = new SyntheticWeights(qwen, 2); var otherShape = new SyntheticWeights(llama, 1);
             var otherType = new SyntheticWeights(qwen, 1, DType.F32)) {
            assertTrue(a.identity().orElseThrow().startsWith("synthetic:"));
            assertEquals(a.identity(), same.identity());
            assertNotEquals(a.identity(), otherSeed.identity());
            assertNotEquals(a.identity(), otherShape.identity());
            assertNotEquals(a.identity(), otherType.identity());
        }
    }

    @Test
    void directoryIdentityIsTheRealPathAndEachShardsSizeAndTime() throws Exception {
        Path model = Files.createDirectory(dir.resolve("m"));
        Path file = write(model.resolve("model.safetensors"), ONE, f32(2.5f));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Path link = Files.createSymbolicLink(dir.resolve("link"), model);
        String first;
        try (var a = SafetensorsDirectory.open(model); var viaLink = SafetensorsDirectory.open(link)) {
            first = a.identity().orElseThrow();
            assertTrue(first.startsWith("safetensors:" + model.toRealPath()), first);
            assertEquals(a.identity(), viaLink.identity());
        }
        write(file, ONE, f32(7f)); // same size, rewritten: only the time tells
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        try (var rewritten = SafetensorsDirectory.open(model)) {
            assertNotEquals(first, rewritten.identity().orElseThrow());
        }
    }

    @Test
    void aSourceWithoutIdentityPromisesNothing() {
        WeightSource plain = new WeightSource() {
            public java.util.Set<String> names() { return java.util.Set.of(); }
            public WeightTensor tensor(String name) { throw new WeightFormatException("none"); }
            public String describe() { return "plain"; }
            public void close() {}
        };
        assertTrue(plain.identity().isEmpty());
    }
}
