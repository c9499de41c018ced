package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The e1 diagnosis reports both policies, every role of each layout, and shares within [0, 100%]. */
class E1DiagnosisTest {
    private static final Pattern BUSY = Pattern.compile("busy ([\\d.]+)%");

    @Test
    void reportsEachRoleOfBothPolicies(@TempDir Path out) {
        Experiments e = new Experiments(60, 1, 54.8e9, out, new PrintStream(OutputStream.nullOutputStream()));
        String report = e.e1Diagnosis(16, 2);
        assertTrue(report.contains("PREFILL x2") && report.contains("DECODE x14"), report);
        assertTrue(report.contains("request-level:") && report.contains("COLOCATED x16"), report);
        Matcher m = BUSY.matcher(report);
        int roles = 0;
        while (m.find()) {
            roles++;
            double busy = Double.parseDouble(m.group(1));
            assertTrue(busy > 0 && busy <= 100, report);
        }
        assertTrue(roles == 3, report);
    }

    @Test
    void hybridLayoutPrefillsOnTheDecodeGpus(@TempDir Path out) {
        Experiments e = new Experiments(60, 1, 16e9, out, new PrintStream(OutputStream.nullOutputStream())).withLayout(Experiments.Layout.HYBRID);
        String report = e.e1Diagnosis(16, 0);
        // 3 of 16 prefill only; the other 13 run both phases.
        assertTrue(report.contains("PREFILL x3") && report.contains("COLOCATED x13") && !report.contains("DECODE x"), report);
    }

    @Test
    void anUnknownLayoutIsRefused() {
        var err = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchMain.run(new String[] {"simulate", "--experiment", "e1", "--layout", "mixed", "--out", "/nonexistent"}));
        assertTrue(err.getMessage().contains("--layout"), err.getMessage());
    }
}
