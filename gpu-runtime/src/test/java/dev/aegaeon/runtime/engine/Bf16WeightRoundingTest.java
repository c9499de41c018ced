package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.GenerationConfig;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import dev.aegaeon.runtime.weights.WeightSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Experiment behind the CUDA-vs-HF gap (CUDA-NOTES.md, "Parity with HF's fixtures"): the CPU engine
 * with every weight rounded to bf16, against HF's float32 logits. It prints, per fixture, the
 * relative error and the first position where the greedy continuation leaves HF's, so the numbers
 * can be set beside the CUDA run's. It asserts the two facts the explanation rests on: rounding
 * weights alone moves the float32 fixtures' logits by far more than the CPU engine's own error
 * (1e-4), and it leaves the bf16-stored fixture where the CPU engine has it (rounding bf16 values is the identity).
 */
class Bf16WeightRoundingTest {
    private static final Path FIXTURES = Path.of("..", "tests", "fixtures", "hf");

    @Test
    void roundingFloat32WeightsToBf16AloneMovesLogitsByPercent() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FIXTURES), "no fixtures at " + FIXTURES.toAbsolutePath());
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            cases = dirs.filter(d -> Files.isRegularFile(d.resolve("expected.json"))).sorted().toList();
        }
        for (Path dir : cases) {
            JsonNode e = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
            float[] ref = floats(dir.resolve(e.get("logits_file").asText()));
            boolean storedF32 = "float32".equals(e.get("torch_dtype").asText());
            double exact = relErr(ref, run(dir, e, false).logits);
            Outcome rounded = run(dir, e, true);
            double err = relErr(ref, rounded.logits);
            int firstDiff = firstDifference(ints(e.get("greedy_ids")), rounded.greedy);
            System.out.printf("%-20s stored %-8s cpu %.2e  cpu+bf16 weights %.2e  greedy %s%n", dir.getFileName(),
                    e.get("torch_dtype").asText(), exact, err, firstDiff < 0 ? "identical" : "differs from token " + firstDiff);
            if (storedF32) {
                assertTrue(err > 20 * Math.max(exact, 1e-6), dir + ": rounding should dominate, got " + err + " vs " + exact);
            } else {
                assertTrue(err < 1e-4, dir + ": bf16-stored weights are already bf16, rounding must not move them: " + err);
            }
        }
    }

    private record Outcome(float[] logits, int[] greedy) {}

    private static Outcome run(Path fixture, JsonNode e, boolean roundToBf16) {
        // A trained model's fixture names the model's own directory (relative to the repository root).
        Path dir = e.has("model_dir") ? Path.of("..").resolve(e.get("model_dir").asText()) : fixture;
        ModelConfig config = ModelConfigLoader.withGenerationConfig(ModelConfigLoader.load(dir), GenerationConfig.read(dir));
        WeightSource source = SafetensorsDirectory.open(dir);
        if (roundToBf16) source = new Bf16RoundedWeights(source);
        try (InferenceEngine engine = new InferenceEngine(config, source, new CpuBackend(1), new EngineOptions(16, 16, null))) {
            float[] logits = engine.promptLogits(ints(e.get("input_ids")));
            SamplingParams params = SamplingParams.greedy(e.get("max_new_tokens").asInt()).withStopTokenIds(config.eosTokenIds());
            return new Outcome(logits, engine.generate(ints(e.get("greedy_prompt")), params).ids());
        }
    }

    private static int firstDifference(int[] expected, int[] actual) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) if (expected[i] != actual[i]) return i;
        return expected.length == actual.length ? -1 : n;
    }

    private static double relErr(float[] ref, float[] got) {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return maxDiff / maxRef;
    }

    private static float[] floats(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        float[] out = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

}
