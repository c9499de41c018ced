package dev.aegaeon.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar} passes no --add-modules: the main class must restart itself with the Vector API module. */
class RuntimeCliLaunchTest {

    private static Result launch(String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                RuntimeCli.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    record Result(int exit, String out, String err) {}

    @Test
    void startsWithoutTheIncubatorFlagAndPassesTheExitCodeThrough() throws Exception {
        Result ok = launch("generate", "--model", "synthetic:tiny-llama:1", "--tokens", "1,2,3", "--max-tokens", "2");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().lines().anyMatch(l -> l.matches("ids: \\d+ \\d+")), ok.out());

        Result bad = launch("generate", "--model", "synthetic:tiny-llama:1", "--tokens", "1,2,3");
        assertEquals(2, bad.exit(), "a usage error's exit code survives the relaunch");
        assertTrue(bad.err().contains("error: generate needs --max-tokens"), bad.err());
    }
}
