package dev.aegaeon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel bench summary read by column, ours beside vLLM per decode batch and prefill length. */
class KernelBenchPlotTest {
    @Test
    void theCommittedSummaryGivesOneBarPairPerRow(@TempDir Path dir) throws Exception {
        Path csv = Path.of("bench/results/kernel-bench-h100/summary-run12.csv");
        Map<String, Map<String, Double>> s = KernelBenchPlot.series(csv);
        assertEquals(List.of("Aegaeon", "vLLM"), List.copyOf(s.keySet()));
        assertEquals(List.of("decode b1", "decode b8", "decode b32", "decode b64", "decode b128",
                "prefill 128", "prefill 1024", "prefill 2048"), List.copyOf(s.get("Aegaeon").keySet()));
        assertEquals(6.19932, s.get("Aegaeon").get("decode b1"), 1e-9);
        assertEquals(48.358, s.get("vLLM").get("prefill 2048"), 1e-9);
        Path png = dir.resolve("plot.png");
        KernelBenchPlot.write(csv, png, "t");
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void aWrongHeaderOrFigureOrTimeIsAClearError(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("s.csv");
        Files.writeString(csv, "figure,batch,ms\ndecode,1,6\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KernelBenchPlot.series(csv)).getMessage().contains("header"));
        Files.writeString(csv, "figure,batch_or_tokens,ms,vllm_ms\nswap,1,6,7\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KernelBenchPlot.series(csv)).getMessage().contains("decode or prefill"));
        Files.writeString(csv, "figure,batch_or_tokens,ms,vllm_ms\ndecode,1,fast,7\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KernelBenchPlot.series(csv)).getMessage().contains("milliseconds"));
    }
}
