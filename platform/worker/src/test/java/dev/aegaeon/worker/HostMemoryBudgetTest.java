package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registrations past the host-memory budget for weight images are refused; shared images count once. */
class HostMemoryBudgetTest {
    private static final long TINY = ModelSizes.syntheticWeightBytes("probe", SyntheticShapes.config("tiny-llama"));

    @Test
    void aRegistrationPastTheBudgetIsRefusedAndOneSharingAnImageIsNot() {
        try (ModelPool pool = new ModelPool(Reference.options().withHostMemoryBytes(TINY * 3 / 2))) {
            pool.register(Reference.synthetic("first", "tiny-llama", 1));
            var e = assertThrows(IllegalArgumentException.class, () -> pool.register(Reference.synthetic("second", "tiny-llama", 2)));
            assertTrue(e.getMessage().contains("host-memory budget"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> pool.status("second"), "nothing half-registered");
            pool.register(Reference.synthetic("twin", "tiny-llama", 1)); // the same (shape, seed): one shared image
            pool.unregister("first");
            pool.unregister("twin");
            pool.register(Reference.synthetic("second", "tiny-llama", 2));
            assertEquals(ModelState.COLD, pool.status("second").state());
        }
    }

    @Test
    void aConfigWhoseKvSizeOverflowsIsRefusedNotWrapped(@TempDir Path dir) throws Exception {
        Path fixture = Path.of("../../tests/fixtures/hf/llama_gqa_tied");
        try (var files = Files.list(fixture)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        // 2 x 4 bytes x 2^30 layers x 4 KV heads x 2^30 = 2^65: wraps to 0 in plain long arithmetic.
        String config = Files.readString(dir.resolve("config.json"))
                .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1073741824")
                .replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4")
                .replace("\"head_dim\": 16", "\"head_dim\": 1073741824");
        Files.writeString(dir.resolve("config.json"), config);
        try (ModelPool pool = new ModelPool(Reference.options())) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> pool.register(ModelFunction.of("crafted", new WeightOrigin.HfDirectory(dir))));
            assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        }
    }
}
