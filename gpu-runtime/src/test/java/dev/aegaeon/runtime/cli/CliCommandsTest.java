package dev.aegaeon.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as other checks drive it: exact output formats, one-line errors, exit codes. */
class CliCommandsTest {
    private static final Path CASE = Path.of("..", "tests", "fixtures", "hf", "qwen2_bias");

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = CliCommands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(CASE.resolve("expected.json").toFile());
    }

    private static String joined(JsonNode ids, String separator) {
        return Stream.iterate(0, i -> i < ids.size(), i -> i + 1).map(i -> ids.get(i).asText()).collect(Collectors.joining(separator));
    }

    @Test
    void logitsWritesLittleEndianFloat32RowMajor(@TempDir Path tmp) throws IOException {
        JsonNode e = expected();
        Path out = tmp.resolve("logits.f32");
        Run r = run("logits", "--model", CASE.toString(), "--tokens", joined(e.get("input_ids"), ","), "--out", out.toString(),
                "--backend", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("backend: cpu"), r.out());
        float[] actual = floats(Files.readAllBytes(out));
        float[] reference = floats(Files.readAllBytes(CASE.resolve("logits.f32")));
        assertEquals(reference.length, actual.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < reference.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(reference[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(reference[i]));
        }
        assertTrue(maxDiff / maxRef < 1e-4, "max|diff|/max|ref| = " + maxDiff / maxRef);
    }

    @Test
    void generatePrintsTheGreedyIdsAndThroughput() throws IOException {
        JsonNode e = expected();
        Run r = run("generate", "--model", CASE.toString(), "--tokens", joined(e.get("greedy_prompt"), ","),
                "--max-tokens", e.get("max_new_tokens").asText(), "--temperature", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ids: " + joined(e.get("greedy_ids"), " ") + "\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("prefill: ") && l.contains("tok/s") && l.contains("decode: ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("backend: ")), r.out());
    }

    @Test
    void seededSamplingIsReproducibleFromTheCommandLine() {
        String[] args = {"generate", "--model", "synthetic:tiny-llama:5", "--tokens", "1,2,3", "--max-tokens", "6",
                "--temperature", "1.2", "--top-k", "40", "--top-p", "0.9", "--seed", "77"};
        Run a = run(args), b = run(args);
        assertEquals(0, a.exit(), a.err());
        String idsA = a.out().lines().filter(l -> l.startsWith("ids: ")).findFirst().orElseThrow();
        assertEquals(idsA, b.out().lines().filter(l -> l.startsWith("ids: ")).findFirst().orElseThrow());
        assertEquals(6, idsA.substring(5).split(" ").length);
    }

    @Test
    void promptAndChatGoThroughTheModelsTokenizer(@TempDir Path tmp) {
        var config = dev.aegaeon.runtime.model.ModelShapes.tiny(dev.aegaeon.runtime.model.ModelFamily.QWEN2);
        try (var weights = new dev.aegaeon.runtime.weights.SyntheticWeights(config, 3)) {
            dev.aegaeon.runtime.model.HfModelWriter.write(tmp, config, weights);
        }
        Run prompt = run("generate", "--model", tmp.toString(), "--prompt", "the cat", "--max-tokens", "4");
        assertEquals(0, prompt.exit(), prompt.err());
        assertTrue(prompt.out().lines().anyMatch(l -> l.startsWith("text: ")), prompt.out());
        assertTrue(prompt.out().contains("prefill: 4 tokens"), "'the cat' is 4 byte-level tokens after merges: " + prompt.out());
        Run chat = run("generate", "--model", tmp.toString(), "--chat", "hi", "--max-tokens", "4");
        assertEquals(0, chat.exit(), chat.err());
        // <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n: more tokens than the bare message
        assertTrue(chat.out().lines().anyMatch(l -> l.startsWith("prefill: ") && !l.startsWith("prefill: 1 tokens")), chat.out());
    }

    @Test
    void errorsAreOneLineAndNonZero(@TempDir Path tmp) throws IOException {
        assertOneLineError(run("logits", "--model", tmp.resolve("missing").toString(), "--tokens", "1", "--out", tmp.resolve("o").toString()),
                1, "does not exist");
        assertOneLineError(run("logits", "--model", CASE.toString(), "--tokens", "1,99999", "--out", tmp.resolve("o").toString()),
                1, "99999");
        assertOneLineError(run("logits", "--model", CASE.toString(), "--tokens", "-3", "--out", tmp.resolve("o").toString()),
                1, "-3");
        assertOneLineError(run("generate", "--model", CASE.toString(), "--tokens", "1", "--max-tokens", "3", "--backend", "tpu"),
                1, "unknown backend");

        Path corrupt = tmp.resolve("corrupt");
        Files.createDirectories(corrupt);
        for (String f : new String[] {"config.json", "generation_config.json"}) Files.copy(CASE.resolve(f), corrupt.resolve(f));
        byte[] weights = Files.readAllBytes(CASE.resolve("model.safetensors"));
        Files.write(corrupt.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
        assertOneLineError(run("logits", "--model", corrupt.toString(), "--tokens", "1", "--out", tmp.resolve("o").toString()),
                1, "model.safetensors");
    }

    @Test
    void usageMistakesExitWithTwo() {
        assertEquals(2, run().exit());
        assertEquals(2, run("generate", "--model", "synthetic:tiny-llama", "--tokens", "1,x", "--max-tokens", "2").exit());
        assertEquals(2, run("generate", "--model", "synthetic:tiny-llama", "--tokens", "1").exit());
        assertEquals(2, run("generate", "--model", "synthetic:tiny-llama", "--tokens", "1", "--prompt", "hi", "--max-tokens", "2").exit());
        assertEquals(2, run("logits", "--model", "synthetic:tiny-llama", "--tokens", "1", "--out").exit());
    }

    private static void assertOneLineError(Run r, int exit, String mention) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line expected, got: " + r.err());
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(mention), lines[0]);
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void tokenizeAndDetokenizeUseTheDirectorysTokenizer(@TempDir Path dir) throws Exception {
        dev.aegaeon.runtime.tokenizer.SyntheticTokenizer.write(dir);
        String text = "In the beginning, ünïcödé";
        int[] ids, plain;
        try (var t = dev.aegaeon.runtime.tokenizer.TextTokenizer.load(dir)) {
            ids = t.encode(text, true);
            plain = t.encode(text, false);
        }
        Run r = run("tokenize", "--model", dir.toString(), "--text", text);
        assertEquals(0, r.exit(), r.err());
        assertEquals(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")), r.out().strip());
        Run p = run("tokenize", "--model", dir.toString(), "--text", text, "--add-special-tokens", "false");
        assertEquals(Arrays.stream(plain).mapToObj(Integer::toString).collect(Collectors.joining(",")), p.out().strip());
        Run d = run("detokenize", "--model", dir.toString(), "--ids", p.out().strip());
        assertEquals(0, d.exit(), d.err());
        assertEquals(text, d.out().strip());
        Run none = run("tokenize", "--model", CASE.toString(), "--text", "x");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("tokenizer.json"), none.err());
    }
}
