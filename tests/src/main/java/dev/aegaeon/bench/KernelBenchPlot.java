package dev.aegaeon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code plot-kernel-bench}: a kernel bench summary CSV ({@code figure,batch_or_tokens,ms,vllm_ms},
 * as in {@code tests/bench/results/kernel-bench-h100/summary-run12.csv}) drawn as bars of step time,
 * ours beside vLLM's, one group per decode batch and prefill length, in the CSV's order.
 */
public final class KernelBenchPlot {
    static final List<String> COLUMNS = List.of("figure", "batch_or_tokens", "ms", "vllm_ms");

    private KernelBenchPlot() {}

    /** {@code "Aegaeon"} and {@code "vLLM"}, each mapping "decode b8" / "prefill 1024" to milliseconds. */
    public static Map<String, Map<String, Double>> series(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty() || !List.of(lines.getFirst().strip().split(",", -1)).equals(COLUMNS)) {
            throw new IllegalArgumentException(csv + ": expected the header " + String.join(",", COLUMNS));
        }
        Map<String, Double> ours = new LinkedHashMap<>(), vllm = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split(",", -1);
            if (f.length != COLUMNS.size()) throw new IllegalArgumentException(csv + ": a row has " + f.length + " fields: " + line);
            String category = switch (f[0]) {
                case "decode" -> "decode b" + f[1];
                case "prefill" -> "prefill " + f[1];
                default -> throw new IllegalArgumentException(csv + ": figure must be decode or prefill, got '" + f[0] + "'");
            };
            ours.put(category, milliseconds(f[2], csv));
            vllm.put(category, milliseconds(f[3], csv));
        }
        if (ours.isEmpty()) throw new IllegalArgumentException(csv + " has no rows");
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        series.put("Aegaeon", ours);
        series.put("vLLM", vllm);
        return series;
    }

    public static void write(Path csv, Path png, String title) throws IOException {
        Map<String, Map<String, Double>> s = series(csv);
        if (png.getParent() != null) Files.createDirectories(png.getParent());
        Plot.groupedBars(png, title, "step time (ms)", s);
    }

    private static double milliseconds(String text, Path csv) {
        try {
            double v = Double.parseDouble(text);
            if (!(v >= 0) || Double.isInfinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + ": '" + text + "' is not a time in milliseconds");
        }
    }
}
