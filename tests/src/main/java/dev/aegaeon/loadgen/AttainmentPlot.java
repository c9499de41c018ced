package dev.aegaeon.loadgen;

import dev.aegaeon.bench.Plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code plot-e2e}: attainment against N for the measured runs (loadgen CSVs, one series per policy
 * label) and the simulator (an e3 CSV: the token-level policy {@code aegaeon-colocated} and
 * {@code request-level}), on one PNG with the 90% bar. Reads columns by header name.
 */
public final class AttainmentPlot {
    static final List<String> SIMULATED_POLICIES = List.of("aegaeon-colocated", "request-level");

    private AttainmentPlot() {}

    public static Map<String, Map<Double, Double>> series(List<Path> measuredCsvs, Path simulatedCsv) throws IOException {
        Map<String, Map<Double, Double>> series = new LinkedHashMap<>();
        for (Path csv : measuredCsvs) {
            for (Map<String, String> row : rows(csv)) {
                series.computeIfAbsent("measured " + row.get("policy"), k -> new TreeMap<>())
                        .put(number(row, "functions", csv), number(row, "attainment", csv));
            }
        }
        if (simulatedCsv != null) {
            for (Map<String, String> row : rows(simulatedCsv)) {
                if (!SIMULATED_POLICIES.contains(row.get("policy"))) continue;
                series.computeIfAbsent("simulated " + row.get("policy"), k -> new TreeMap<>())
                        .put(number(row, "models", simulatedCsv), number(row, "attainment", simulatedCsv));
            }
        }
        return series;
    }

    /** The default title: the one-H100 end-to-end plots. */
    public static final String DEFAULT_TITLE =
            "One H100, Qwen2.5-7B-shaped functions (one shared synthetic image) at 0.1 req/s: measured vs simulated";

    public static void write(Path png, List<Path> measuredCsvs, Path simulatedCsv) throws IOException {
        write(png, measuredCsvs, simulatedCsv, DEFAULT_TITLE);
    }

    public static void write(Path png, List<Path> measuredCsvs, Path simulatedCsv, String title) throws IOException {
        Map<String, Map<Double, Double>> s = series(measuredCsvs, simulatedCsv);
        if (s.isEmpty()) throw new IllegalArgumentException("no rows in the given CSVs");
        if (png.getParent() != null) Files.createDirectories(png.getParent());
        Plot.lines(png, title, "functions (N)", "SLO attainment (paper metric)", s, 0.9);
    }

    private static List<Map<String, String>> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) throw new IllegalArgumentException(csv + " is empty");
        List<String> header = Arrays.asList(lines.getFirst().split(",", -1));
        return lines.stream().skip(1).filter(l -> !l.isBlank()).map(l -> {
            String[] f = l.split(",", -1);
            if (f.length != header.size()) throw new IllegalArgumentException(csv + ": a row has " + f.length + " fields, the header " + header.size());
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < f.length; i++) m.put(header.get(i), f[i]);
            return m;
        }).toList();
    }

    private static double number(Map<String, String> row, String column, Path csv) {
        String v = row.get(column);
        if (v == null) throw new IllegalArgumentException(csv + " has no column '" + column + "'");
        try {
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + ": '" + column + "' is not a number: " + v);
        }
    }
}
