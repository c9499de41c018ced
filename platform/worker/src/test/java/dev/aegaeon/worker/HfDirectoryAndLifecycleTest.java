package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.model.GenerationConfig;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real HF checkpoints (the repository's fixtures) through the pool, and unregistration. */
class HfDirectoryAndLifecycleTest {
    private static final Path FIXTURES = Path.of("../../tests/fixtures/hf");

    @Test
    void hfDirectoriesServeTheirOwnGreedyTokens() throws Exception {
        String[] dirs = {"qwen2_bias", "llama_gqa_tied", "qwen3_qknorm"};
        try (ModelPool pool = new ModelPool(Reference.options())) {
            for (String d : dirs) pool.register(ModelFunction.of(d, new WeightOrigin.HfDirectory(FIXTURES.resolve(d))));
            int[] prompt = {5, 17, 42, 99, 3, 200, 7};
            CollectingSink[] sinks = new CollectingSink[dirs.length];
            for (int i = 0; i < dirs.length; i++) pool.submit(dirs[i], prompt, Reference.greedy(24), sinks[i] = new CollectingSink());
            for (int i = 0; i < dirs.length; i++) {
                sinks[i].await();
                assertArrayEquals(alone(FIXTURES.resolve(dirs[i]), prompt, 24), sinks[i].tokens(), dirs[i]);
            }
        }
    }

    private static int[] alone(Path dir, int[] prompt, int maxTokens) {
        ModelConfig config = ModelConfigLoader.withGenerationConfig(ModelConfigLoader.load(dir), GenerationConfig.read(dir));
        try (CpuBackend backend = new CpuBackend();
             SafetensorsDirectory weights = SafetensorsDirectory.open(dir);
             InferenceEngine engine = new InferenceEngine(config, weights, backend, new EngineOptions(16, 64, null))) {
            return engine.generate(prompt, Reference.greedy(maxTokens).withStopTokenIds(config.eosTokenIds())).ids();
        }
    }

    @Test
    void missingDirectoryIsRefusedAtRegistration() {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> pool.register(ModelFunction.of("x", new WeightOrigin.HfDirectory(FIXTURES.resolve("no-such-model")))));
            assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> pool.status("x"));
        }
    }

    @Test
    void unregisteringCancelsOpenRequestsAndForgetsTheModel() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("u", "tiny-llama", 4));
            CollectingSink running = new CollectingSink();
            pool.submit("u", Reference.prompt(4, 30), Reference.greedy(1900), running);
            assertTrue(running.firstToken.await(60, TimeUnit.SECONDS));
            pool.unregister("u");
            assertEquals(FinishReason.CANCELLED, running.await());
            assertThrows(NoSuchElementException.class, () -> pool.submit("u", new int[] {1}, Reference.greedy(2), new CollectingSink()));
            // The name can be registered again, with another model, and serves that one.
            pool.register(Reference.synthetic("u", "tiny-qwen3", 5));
            CollectingSink fresh = new CollectingSink();
            int[] prompt = Reference.prompt(5, 6);
            pool.submit("u", prompt, Reference.greedy(10), fresh);
            fresh.await();
            assertArrayEquals(Reference.alone("tiny-qwen3", 5, prompt, 10), fresh.tokens());
        }
    }
}
