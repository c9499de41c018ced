package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * e1, e2 and e3 over many seeds, in short windows (CI time): every figure is defined, e2 never
 * reports a negative saving, and every request ends (finished, rejected or cancelled) unless the
 * run was cut off at the end of its drain, where the drain rule scores it as missed. Short windows
 * are the hard case for e2: the small market leaves some pools without a request.
 */
class ExperimentsSeedsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Pattern SAVING = Pattern.compile("dedicated (\\d+), pooled (\\d+) -> saving (-?[\\d.]+)%");

    private static void checkRows(Experiments e, String what) {
        List<String> problems = new ArrayList<>();
        for (Row r : e.rows()) {
            var slo = r.result().slo();
            if (slo.requests() > 0 && !Double.isFinite(slo.attainment())) problems.add("attainment " + slo.attainment() + ": " + r.csv());
            if (slo.requests() == 0 && slo.finished() != 0) problems.add("finished without requests: " + r.csv());
            if (r.result().stranded() > 0) problems.add(r.result().stranded() + " request(s) never ended although nothing was left to run: " + r.csv());
            if (!r.result().cutOff() && r.result().ended() != slo.requests()) problems.add("ended " + r.result().ended() + " of " + slo.requests() + ": " + r.csv());
            if (!(r.ratePerModel() > 0)) problems.add("rate per model " + r.ratePerModel() + ": " + r.csv());
        }
        assertTrue(problems.isEmpty(), what + ":\n" + String.join("\n", problems));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 7, 11})
    void e2SavingIsDefinedAndNotNegative(long seed, @TempDir Path out) throws Exception {
        Experiments e = new Experiments(60, seed, 54.8e9, out, QUIET);
        String summary = e.e2();
        assertFalse(summary.contains("NaN") || summary.contains("Infinity"), summary);
        Matcher m = SAVING.matcher(summary);
        assertTrue(m.find(), summary);
        assertTrue(Double.parseDouble(m.group(3)) >= 0, "negative saving: " + summary);
        assertTrue(Integer.parseInt(m.group(2)) <= Integer.parseInt(m.group(1)), summary);
        checkRows(e, "e2 seed " + seed);
        // A pool's rate is its own models' mean rate: together the pools carry the market's 6 req/s.
        double pooled = 0;
        for (Row r : e.rows()) {
            if (r.policy().startsWith("aegaeon:") && r.gpus() == (r.policy().contains("72b") ? 4 : 1)) pooled += r.ratePerModel() * r.models();
        }
        assertEquals(6.0, pooled, 1e-9, "pool rates add up to the market's");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 11})
    void e1RowsAreDefinedAndEveryRequestEnds(long seed, @TempDir Path out) throws Exception {
        Experiments e = new Experiments(60, seed, 54.8e9, out, QUIET).withE1MaxModels(32);
        String summary = e.e1();
        assertFalse(summary.contains("NaN"), summary);
        checkRows(e, "e1 seed " + seed);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 11})
    void e3RowsAreDefinedAndEveryRequestEnds(long seed, @TempDir Path out) throws Exception {
        Experiments e = new Experiments(120, seed, 54.8e9, out, QUIET).withE3MaxModels(4);
        String summary = e.e3();
        assertFalse(summary.contains("NaN"), summary);
        checkRows(e, "e3 seed " + seed);
    }
}
