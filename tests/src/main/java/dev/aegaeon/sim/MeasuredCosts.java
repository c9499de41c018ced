package dev.aegaeon.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.scheduler.DistServeCostModel.ProfilePoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Step and load times measured on a real GPU (our CUDA backend), in place of the vLLM profile:
 * {@code decode_ms} per batch size at {@code decode_context_tokens} tokens of context per sequence,
 * {@code prefill_ms} per prompt length (one sequence), {@code load_s} to bring one model's weights
 * onto the GPU, {@code hbm_gbps} the measured device copy bandwidth (KV reads beyond the measured
 * context). e3 uses them as a table ({@link MeasuredTableCostModel}); {@link #profiles()} also
 * offers them as profile points for the DistServe fit.
 *
 * <pre>{"model":"qwen2_5_7b","gpu":"H100","decode_context_tokens":512,"hbm_gbps":2992.9,
 *  "decode_ms":{"1":8.3,...},"prefill_ms":{"128":21.2,...},"load_s":0.277}</pre>
 */
public record MeasuredCosts(String model, GpuKind gpu, List<ProfilePoint> points, double loadSeconds, double hbmBytesPerSecond,
                            String source) {

    public static MeasuredCosts read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("costs file " + file + " is not readable JSON: " + e.getMessage());
        }
        String where = "costs file " + file + ": ";
        String model = text(n, "model", where);
        GpuKind gpu;
        try {
            gpu = GpuKind.valueOf(text(n, "gpu", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "'gpu' must be one of " + java.util.Arrays.toString(GpuKind.values()));
        }
        int context = (int) positive(n.path("decode_context_tokens"), where + "'decode_context_tokens'");
        List<ProfilePoint> pts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : entries(n, "decode_ms", where)) {
            int batch = intKey(e.getKey(), where + "decode_ms");
            pts.add(new ProfilePoint(context, batch, 0, positive(e.getValue(), where + "decode_ms." + batch) / 1e3));
        }
        for (Map.Entry<String, JsonNode> e : entries(n, "prefill_ms", where)) {
            int tokens = intKey(e.getKey(), where + "prefill_ms");
            pts.add(new ProfilePoint(tokens, 1, positive(e.getValue(), where + "prefill_ms." + tokens) / 1e3, 0));
        }
        double load = positive(n.path("load_s"), where + "'load_s'");
        double hbm = positive(n.path("hbm_gbps"), where + "'hbm_gbps'") * 1e9;
        return new MeasuredCosts(model, gpu, List.copyOf(pts), load, hbm, n.path("source").asText(file.toString()));
    }

    /** These points as the simulator's profile table (only this model on this GPU). */
    public Profiles profiles() {
        return Profiles.of(Map.of(model + "@" + gpu.name(), points));
    }

    /** Load bandwidth that makes loading {@code arch} take the measured {@code load_s}. */
    public double loadBytesPerSecond(CatalogModel arch) {
        return arch.weightBytes() / loadSeconds;
    }

    private static String text(JsonNode n, String field, String where) {
        if (!n.path(field).isTextual()) throw new IllegalArgumentException(where + "'" + field + "' must be a string");
        return n.get(field).asText();
    }

    private static List<Map.Entry<String, JsonNode>> entries(JsonNode n, String field, String where) {
        JsonNode o = n.path(field);
        if (!o.isObject() || o.isEmpty()) throw new IllegalArgumentException(where + "'" + field + "' must be a non-empty object");
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        o.fields().forEachRemaining(out::add);
        return out;
    }

    private static int intKey(String key, String where) {
        try {
            int v = Integer.parseInt(key);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(where + ": key '" + key + "' must be a positive integer");
    }

    private static double positive(JsonNode v, String where) {
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) throw new IllegalArgumentException(where + " must be a positive number");
        return v.asDouble();
    }
}
