package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    @Test
    void aLineSaysPercentCountElapsedAndEta() {
        assertEquals("run: 25% (25/100), 0:10 elapsed, eta 0:30, sending", ProgressLine.line("run", 25, 100, "sending", 10));
        assertEquals("sims: 7, 1:01:05 elapsed", ProgressLine.line("sims", 7, 0, "", 3665));
    }

    @Test
    void manyUpdatesPrintOneLineNotOnePerEvent() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), "load", false);
        for (int i = 1; i <= 10_000; i++) p.update(i, 10_000, "x");
        p.finish(10_000, 10_000, "done");
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, "the first update and the final line: " + lines.length);
        assertTrue(lines[1].startsWith("load: 100% (10000/10000)"), lines[1]);
    }
}
