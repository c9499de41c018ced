package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.sim.MeasuredCosts;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** e3's options for the end-to-end comparison: the decode-quota cap and the model sweep's length. */
class E3OptionsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void qmaxAndModelCountNameAndBoundTheSweep(@TempDir Path out) throws Exception {
        MeasuredCosts costs = MeasuredCosts.read(Path.of("bench/results/h100-measured-costs.json"));
        new Experiments(120, 1, 55e9, out, QUIET, costs).withE3KvGate(8192).withQmax(2).withE3MaxModels(3).e3();
        List<String> rows = Files.readAllLines(out.resolve("e3-measured-kv8192-qmax2.0.csv"));
        // header + 3 model counts x 3 policies, every row of this experiment's name
        assertEquals(1 + 3 * 3, rows.size());
        assertTrue(rows.stream().skip(1).allMatch(r -> r.startsWith("e3-measured-kv8192-qmax2.0,")));
        assertTrue(rows.stream().anyMatch(r -> r.contains(",aegaeon-colocated,3,")));
    }

    @Test
    void qmaxOutsideItsRangeIsRefused(@TempDir Path out) {
        Experiments e = new Experiments(60, 1, 55e9, out, QUIET);
        assertThrows(IllegalArgumentException.class, () -> e.withQmax(0));
        assertThrows(IllegalArgumentException.class, () -> e.withQmax(61));
        assertThrows(IllegalArgumentException.class, () -> e.withQmax(Double.NaN));
    }
}
