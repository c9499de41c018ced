package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.GenerationConfig;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU engine against HF transformers on every fixture under {@code tests/fixtures/hf}: all-position
 * logits, the greedy continuation, batched prefill/decode of several sequences, and paging with a
 * block size smaller than the prompts.
 */
class HfFixtureParityTest {
    private static final Path FIXTURES = Path.of("..", "tests", "fixtures", "hf");
    private static final double TOLERANCE = 1e-4;

    record Fixture(Path dir, String name, int[] inputIds, float[] logits, int vocab, int[] greedyPrompt, int[] greedyIds,
                   int maxNewTokens) {

        static Fixture read(Path dir) throws IOException {
            JsonNode e = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
            int[] shape = ints(e.get("logits_shape"));
            byte[] raw = Files.readAllBytes(dir.resolve(e.get("logits_file").asText()));
            float[] logits = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
            assertEquals((long) shape[0] * shape[1], logits.length, "logits file size of " + dir);
            return new Fixture(dir, e.get("case").asText(), ints(e.get("input_ids")), logits, shape[1],
                    ints(e.get("greedy_prompt")), ints(e.get("greedy_ids")), e.get("max_new_tokens").asInt());
        }

        private static int[] ints(JsonNode array) {
            int[] out = new int[array.size()];
            for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
            return out;
        }

        float[] row(int position) { return Arrays.copyOfRange(logits, position * vocab, (position + 1) * vocab); }
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesTransformers() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FIXTURES), "no fixtures directory at " + FIXTURES.toAbsolutePath());
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            cases = dirs.filter(d -> Files.isRegularFile(d.resolve("expected.json"))).sorted().toList();
        }
        assertFalse(cases.isEmpty(), "the fixtures directory " + FIXTURES.toAbsolutePath() + " holds no cases");
        return cases.stream().flatMap(dir -> Stream.of(
                DynamicTest.dynamicTest(dir.getFileName() + ": logits of every position", () -> logits(dir)),
                DynamicTest.dynamicTest(dir.getFileName() + ": greedy continuation", () -> greedy(dir)),
                DynamicTest.dynamicTest(dir.getFileName() + ": batched prefixes and decode, 4-token blocks", () -> batched(dir))));
    }

    /**
     * The model a case runs: its own directory, or the one its {@code model_dir} names (relative to
     * the repository root), as the trained demo model's case does.
     */
    static Path modelDir(Path caseDir) throws IOException {
        JsonNode e = new ObjectMapper().readTree(caseDir.resolve("expected.json").toFile());
        return e.hasNonNull("model_dir") ? Path.of("..").resolve(e.get("model_dir").asText()) : caseDir;
    }

    private static InferenceEngine engine(Path caseDir, int blockSize, int numBlocks) throws IOException {
        Path dir = modelDir(caseDir);
        ModelConfig config = ModelConfigLoader.withGenerationConfig(ModelConfigLoader.load(dir), GenerationConfig.read(dir));
        return new InferenceEngine(config, SafetensorsDirectory.open(dir), new CpuBackend(2), new EngineOptions(blockSize, numBlocks, null));
    }

    private static void logits(Path dir) throws IOException {
        Fixture f = Fixture.read(dir);
        try (InferenceEngine engine = engine(dir, 16, 16)) {
            assertEquals(f.vocab, engine.config().vocabSize());
            float[] actual = engine.promptLogits(f.inputIds);
            assertRelative(f.logits, actual, f.name + " logits");
        }
    }

    private static void greedy(Path dir) throws IOException {
        Fixture f = Fixture.read(dir);
        try (InferenceEngine engine = engine(dir, 16, 16)) {
            SamplingParams params = SamplingParams.greedy(f.maxNewTokens).withStopTokenIds(engine.config().eosTokenIds());
            assertArrayEquals(f.greedyIds, engine.generate(f.greedyPrompt, params).ids(), f.name + " greedy ids");
        }
    }

    /**
     * Prefixes of the logits prompt, prefilled together, must reproduce HF's row at each prefix's last
     * position (attention is causal); the greedy prompt decoded in the same batch must give HF's ids.
     */
    private static void batched(Path dir) throws IOException {
        Fixture f = Fixture.read(dir);
        int[] lengths = {f.inputIds.length, 13, 1, 6};
        try (InferenceEngine engine = engine(dir, 4, 64)) {
            Map<Sequence, List<float[]>> seen = new HashMap<>();
            engine.setLogitsObserver((s, row) -> seen.computeIfAbsent(s, k -> new ArrayList<>()).add(row));
            List<Sequence> seqs = new ArrayList<>();
            SamplingParams params = SamplingParams.greedy(f.maxNewTokens).withStopTokenIds(engine.config().eosTokenIds());
            for (int length : lengths) seqs.add(engine.newSequence(Arrays.copyOf(f.inputIds, length), params));
            Sequence greedy = engine.newSequence(f.greedyPrompt, params);
            seqs.add(greedy);
            assertInstanceOf(StepResult.Stepped.class, engine.prefill(new Batch(seqs)));
            for (int i = 0; i < lengths.length; i++) {
                assertRelative(f.row(lengths[i] - 1), seen.get(seqs.get(i)).getFirst(), f.name + " prefix " + lengths[i]);
            }
            List<Sequence> running = new ArrayList<>(seqs.stream().filter(s -> !s.isFinished()).toList());
            while (!running.isEmpty()) {
                assertInstanceOf(StepResult.Stepped.class, engine.decode(new Batch(running)));
                running.removeIf(Sequence::isFinished);
            }
            assertArrayEquals(f.greedyIds, greedy.generatedIds(), f.name + " greedy ids decoded in a batch of " + seqs.size());
            assertEquals(engine.totalBlocks(), engine.freeBlocks(), "every block comes back when all sequences finish");
        }
    }

    private static void assertRelative(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxRef > 0, what + ": reference is all zeros");
        assertTrue(maxDiff / maxRef < TOLERANCE, what + ": max|diff|/max|ref| = " + maxDiff / maxRef);
    }
}
