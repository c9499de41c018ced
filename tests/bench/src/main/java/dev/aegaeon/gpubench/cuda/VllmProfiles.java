package dev.aegaeon.gpubench.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * vLLM's per-step latencies for Qwen2.5-7B on H100 from the Aegaeon artifact's profiles
 * (shared/data/vllm-profiles.csv: model,gpu,input_len,batch,prefill_ms,decode_ms), picked to sit
 * beside our figures: decode at the largest profiled input length <= the context with the same
 * batch (the profile covers few long-context batches; the length used is recorded), prefill of one
 * prompt of the same length.
 */
final class VllmProfiles {
    private VllmProfiles() {}

    static Map<String, Object> qwen7bH100(Path csv, int context) throws IOException {
        List<String[]> rows = Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#") && !l.startsWith("model,"))
                .map(l -> l.split(",")).filter(r -> r.length == 6 && r[0].equals("qwen2_5_7b") && r[1].equals("H100")).toList();
        Map<String, Object> decode = new LinkedHashMap<>();
        for (int b : new int[] {1, 8, 32, 64, 128}) {
            String[] best = null;
            for (String[] r : rows) {
                int len = Integer.parseInt(r[2]), batch = Integer.parseInt(r[3]);
                if (len > context) continue;
                if (best == null || score(r, b) < score(best, b)
                        || (score(r, b) == score(best, b) && len > Integer.parseInt(best[2]))) best = r;
            }
            if (best != null) decode.put(String.valueOf(b), Map.of("decode_ms", Double.parseDouble(best[5]),
                    "profiled_input_len", Integer.parseInt(best[2]), "profiled_batch", Integer.parseInt(best[3])));
        }
        Map<String, Object> prefill = new LinkedHashMap<>();
        for (String[] r : rows) {
            if (r[3].equals("1") && List.of("128", "1024", "2048").contains(r[2])) prefill.put(r[2], Double.parseDouble(r[4]));
        }
        return Map.of("source", csv.getFileName().toString(), "decode", decode, "prefill_ms", prefill);
    }

    private static int score(String[] r, int batch) { return Math.abs(Integer.parseInt(r[3]) - batch); }
}
