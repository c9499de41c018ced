package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Four series from the loadgen CSVs and the simulator's CSV, read by column name. */
class AttainmentPlotTest {
    @Test
    void measuredAndSimulatedSeriesComeFromTheirCsvs(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("loadgen-aegaeon.csv"), rl = dir.resolve("loadgen-request-level.csv"), sim = dir.resolve("e3.csv");
        Files.writeString(ours, ResultWriter.CSV_HEADER + "\naegaeon,2,30,30,0,0,0.99,,,,,,,,,,,,\naegaeon,4,60,60,0,0,0.95,,,,,,,,,,,,\n");
        Files.writeString(rl, ResultWriter.CSV_HEADER + "\nrequest-level,2,30,30,0,0,0.80,,,,,,,,,,,,\n");
        Files.writeString(sim, """
                experiment,policy,models,attainment
                e3-measured,aegaeon-colocated,2,0.98
                e3-measured,aegaeon-colocated-paper,2,0.97
                e3-measured,request-level,2,0.70
                """);
        Map<String, Map<Double, Double>> s = AttainmentPlot.series(List.of(ours, rl), sim);
        assertEquals(List.of("measured aegaeon", "measured request-level", "simulated aegaeon-colocated", "simulated request-level"),
                List.copyOf(s.keySet()));
        assertEquals(Map.of(2.0, 0.99, 4.0, 0.95), s.get("measured aegaeon"));
        assertEquals(Map.of(2.0, 0.70), s.get("simulated request-level"));
        Path png = dir.resolve("plot.png");
        AttainmentPlot.write(png, List.of(ours, rl), sim);
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void aCsvWithoutTheColumnsIsAClearError(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,2\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AttainmentPlot.series(List.of(bad), null));
        assertTrue(e.getMessage().contains("functions"), e.getMessage());
    }
}
