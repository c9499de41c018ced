package dev.aegaeon.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A measured load point (the loadgen's per-point JSON) as a simulator trace: the same functions,
 * send times, prompt lengths and output lengths (the completion length the server reported when it
 * finished, else the requested {@code max_tokens}), plus what was measured, for side-by-side
 * comparison. Every function is a Qwen2.5-7B-shaped model, as in the measured run.
 *
 * @param measuredTtft per trace id, the measured time to first token (infinite when none came)
 * @param drainSeconds the drain the measured point allowed after its window
 * @param summary      the measured point's summary object, as written by the loadgen
 */
public record ReplayedTrace(Trace trace, double[] measuredTtft, double drainSeconds, String policy, JsonNode summary) {

    public static ReplayedTrace read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("trace file " + file + " is not readable JSON: " + e.getMessage());
        }
        String where = "trace file " + file + ": ";
        JsonNode w = n.path("workload");
        if (!n.path("requests").isArray() || !w.isObject()) throw new IllegalArgumentException(where + "needs 'workload' and 'requests' (a loadgen point JSON)");
        double seconds = positive(w.path("seconds"), where + "workload.seconds");
        double drain = w.path("drain_s").isNumber() ? w.path("drain_s").asDouble() : 0;
        SloTargets slo = new SloTargets(positive(w.path("slo_ttft_s"), where + "workload.slo_ttft_s"), positive(w.path("slo_tpot_s"), where + "workload.slo_tpot_s"));
        int functions = (int) positive(n.path("functions"), where + "functions");
        record Row(String fn, double sent, int prompt, int output, double ttft) {}
        List<Row> rows = new ArrayList<>();
        Map<String, CatalogModel> models = new LinkedHashMap<>();
        for (JsonNode r : n.path("requests")) {
            String fn = r.path("function").asText("");
            if (fn.isEmpty()) throw new IllegalArgumentException(where + "a request has no 'function'");
            double sent = r.path("sent_s").isNumber() ? r.path("sent_s").asDouble() : r.path("arrival_s").asDouble(Double.NaN);
            if (!(sent >= 0)) throw new IllegalArgumentException(where + "request " + r.path("id") + " has no send or arrival time");
            int prompt = (int) positive(r.path("prompt_tokens"), where + "prompt_tokens");
            int max = (int) positive(r.path("max_tokens"), where + "max_tokens");
            JsonNode used = r.path("usage_completion_tokens");
            int output = used.isNumber() && used.asInt() > 0 ? Math.min(max, used.asInt()) : max;
            double ttft = r.path("ttft_s").isNumber() ? r.path("ttft_s").asDouble() : Double.POSITIVE_INFINITY;
            rows.add(new Row(fn, sent, prompt, output, ttft));
            models.put(fn, CatalogModel.QWEN2_5_7B);
        }
        // Functions that got no request still exist on the platform (their warm-up loaded them).
        for (int i = 0; models.size() < functions && i < 10_000; i++) models.putIfAbsent("fn" + i, CatalogModel.QWEN2_5_7B);
        rows.sort(Comparator.comparingDouble(Row::sent));
        List<RequestSpec> specs = new ArrayList<>(rows.size());
        int[] out = new int[rows.size()];
        double[] ttft = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            specs.add(new RequestSpec(i, r.fn(), r.prompt(), r.output(), r.sent(), slo));
            out[i] = r.output();
            ttft[i] = r.ttft();
        }
        Map<String, CatalogModel> sorted = new LinkedHashMap<>();
        models.keySet().stream().sorted().forEach(k -> sorted.put(k, models.get(k)));
        return new ReplayedTrace(new Trace(specs, out, sorted, seconds), ttft, drain, n.path("policy").asText("?"), n.path("summary"));
    }

    /**
     * A trace the loadgen would send ({@code requests}: function, arrival, prompt, output) when only
     * its summary was kept: nothing per request was measured.
     */
    public static ReplayedTrace planned(List<RequestSpec> requests, int[] outputTokens, int functions, double seconds, double drain, String policy) {
        Map<String, CatalogModel> models = new LinkedHashMap<>();
        for (int i = 0; i < functions; i++) models.put("fn" + i, CatalogModel.QWEN2_5_7B);
        for (RequestSpec r : requests) models.putIfAbsent(r.model(), CatalogModel.QWEN2_5_7B);
        double[] ttft = new double[requests.size()];
        java.util.Arrays.fill(ttft, Double.NaN);
        return new ReplayedTrace(new Trace(requests, outputTokens, models, seconds), ttft, drain, policy,
                com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    /** A measured summary figure, NaN when absent or not finite. */
    public double measured(String field) {
        JsonNode v = summary.path(field);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static double positive(JsonNode v, String where) {
        if (!v.isNumber() || !(v.asDouble() > 0)) throw new IllegalArgumentException(where + " must be a positive number");
        return v.asDouble();
    }
}
