package dev.aegaeon.gpubench.cuda;

import java.util.Locale;
import java.util.Map;

/**
 * {@link CudaBench}'s closing table: each headline figure beside its target, vLLM's profile on the
 * H100 and the floor this card measured in the same run, after the card, its code path and its
 * own floors. The step targets are issue 20's (Qwen2.5-7B shape, bf16, H100).
 */
final class BenchTable {
    private BenchTable() {}

    private static final Map<String, Double> DECODE_TARGET_MS = Map.of("1", 5.5, "8", 7.5, "64", 10.0);
    private static final Map<String, Double> PREFILL_TARGET_MS = Map.of("128", 8.0, "1024", 22.0, "2048", 44.0);

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> j) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "card %s; %s%n", j.get("card"), j.get("kernel_images")));
        sb.append(String.format(Locale.ROOT, "%-26s %12s %10s %10s %10s%n", "figure", "measured", "target", "vLLM", "floor"));
        // The card's own floors first: every other figure on this card is bounded by them.
        row(sb, "hbm_copy_gbps", j.get("hbm_copy_gbps"), null, null, null);
        row(sb, "pinned_h2d_gbps", j.get("pinned_h2d_gbps"), null, null, null);
        Map<String, Double> decode = (Map<String, Double>) j.getOrDefault("decode_ms", Map.of());
        Map<String, Object> vllm = (Map<String, Object>) j.getOrDefault("vllm", Map.of());
        Map<String, Map<String, Object>> vDecode = (Map<String, Map<String, Object>>) vllm.getOrDefault("decode", Map.of());
        Map<String, Double> vPrefill = (Map<String, Double>) vllm.getOrDefault("prefill_ms", Map.of());
        Object floor = j.get("decode_hbm_floor_ms");
        decode.forEach((b, ms) -> row(sb, "decode_ms batch " + b, ms, DECODE_TARGET_MS.get(b),
                vDecode.containsKey(b) ? vDecode.get(b).get("decode_ms") : null, b.equals("1") ? floor : null));
        Map<String, Double> prefill = (Map<String, Double>) j.getOrDefault("prefill_ms", Map.of());
        prefill.forEach((t, ms) -> row(sb, "prefill_ms " + t, ms, PREFILL_TARGET_MS.get(t), vPrefill.get(t),
                t.equals("1024") ? j.get("prefill_1024_floor_ms") : null));
        row(sb, "scaleup_s", j.get("scaleup_s"), 0.32, null, j.get("scaleup_floor_s"));
        row(sb, "cold_ttft_s", j.get("cold_ttft_s"), 0.40, null, null);
        row(sb, "resident_switch_ms", j.get("resident_switch_ms"), 1.0, null, null);
        Map<String, Double> swap = (Map<String, Double>) j.getOrDefault("kv_swap_gbps", Map.of());
        swap.forEach((dir, g) -> row(sb, "kv_swap_gbps " + dir, g, 40.0, null, j.get("pinned_h2d_gbps")));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Object measured, Object target, Object vllm, Object floor) {
        sb.append(String.format(Locale.ROOT, "%-26s %12s %10s %10s %10s%n", name, num(measured), num(target), num(vllm), num(floor)));
    }

    private static String num(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.3f", n.doubleValue()) : "-";
    }
}
