package dev.aegaeon.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.Limits;
import dev.aegaeon.functions.ModelSource;

class RegistrationStoreTest {
    static FunctionSpec spec(String name, int maxOut) {
        return new FunctionSpec(name, new ModelSource.Synthetic("echo", 1, Duration.ofMillis(2)), null, null,
                new Limits(100, maxOut, 4, 4), Optional.empty());
    }

    static final class Log implements FunctionRegistry.Listener {
        final List<String> events = new ArrayList<>();

        public void registered(FunctionSpec spec) {
            events.add("+" + spec.name() + ":" + spec.limits().maxOutputTokens());
        }

        public void unregistered(String name) {
            events.add("-" + name);
        }
    }

    private static final ModelRoots ROOTS = new ModelRoots(List.of(Path.of("/nonexistent-model-root")));

    @Test
    void aStoredKeyInTheClearIsHashedAndAPathOutsideTheRootsIsNotLoaded(@TempDir Path dir) throws Exception {
        RegistrationStore store = new RegistrationStore(dir);
        store.save(dev.aegaeon.functions.FunctionSpecCodec.parseJson(
                "{\"name\":\"keyed\",\"model\":{\"synthetic\":{}},\"apiKey\":\"legacy-clear-key\"}"));
        store.save(dev.aegaeon.functions.FunctionSpecCodec.parseJson("{\"name\":\"outside\",\"model\":{\"path\":\"/etc\"}}"));
        Log log = new Log();
        FunctionRegistry registry = new FunctionRegistry(new RegistrationStore(dir), ROOTS, log);
        assertEquals(1, registry.load());
        assertTrue(registry.get("outside").isEmpty());
        assertTrue(java.nio.file.Files.exists(dir.resolve("outside.json")), "kept on disk, never deleted");
        String stored = java.nio.file.Files.readString(dir.resolve("keyed.json"));
        assertFalse(stored.contains("legacy-clear-key"), stored);
        assertTrue(registry.get("keyed").orElseThrow().spec().authorizes("legacy-clear-key"));
    }

    @Test
    void registrationsSurviveARestart(@TempDir Path dir) throws Exception {
        Log first = new Log();
        FunctionRegistry before = new FunctionRegistry(new RegistrationStore(dir), ROOTS, first);
        assertTrue(before.create(spec("a", 10)));
        assertTrue(before.create(spec("b", 20)));
        assertFalse(before.create(spec("a", 99)), "no silent overwrite");
        assertTrue(before.update(spec("b", 30)));
        assertTrue(before.create(spec("c", 40)));
        assertTrue(before.delete("c"));

        // A new process: a fresh store and registry on the same directory.
        Log second = new Log();
        FunctionRegistry after = new FunctionRegistry(new RegistrationStore(dir), ROOTS, second);
        assertEquals(2, after.load());
        assertEquals(List.of("+a:10", "+b:30"), second.events);
        assertEquals(spec("b", 30), after.get("b").orElseThrow().spec());
        assertTrue(after.get("c").isEmpty());
    }

    @Test
    void aCrashMidWriteLeavesThePreviousVersionAndNoDebris(@TempDir Path dir) throws Exception {
        RegistrationStore store = new RegistrationStore(dir);
        store.save(spec("a", 10));
        // What a crash between writing the temp file and renaming it leaves behind:
        Files.writeString(dir.resolve("a.123.tmp"), "{\"name\":\"a\",\"mod");
        RegistrationStore reopened = new RegistrationStore(dir);
        assertEquals(List.of(spec("a", 10)), reopened.loadAll());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("a.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aCorruptFileIsSkippedNotDeleted(@TempDir Path dir) throws Exception {
        RegistrationStore store = new RegistrationStore(dir);
        store.save(spec("good", 10));
        Files.writeString(dir.resolve("bad.json"), "not json");
        assertEquals(List.of(spec("good", 10)), store.loadAll());
        assertTrue(Files.exists(dir.resolve("bad.json")), "kept for the operator to inspect");
    }
}
