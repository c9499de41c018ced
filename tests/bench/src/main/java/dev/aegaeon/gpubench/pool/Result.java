package dev.aegaeon.gpubench.pool;

import dev.aegaeon.worker.HandoffStats;
import dev.aegaeon.worker.InstanceStats;
import dev.aegaeon.worker.ModelStatus;
import dev.aegaeon.gpubench.BenchJson;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What one {@link PoolGpuSmoke} run measured: per function and overall, as a table and as JSON. */
record Result(PoolGpuSmoke.Args args, double wallSeconds, List<PoolGpuSmoke.RequestRecord> records, List<ModelStatus> statuses,
              long kvSwaps, HandoffStats.Summary handoffs, List<InstanceStats> instances) {

    /** One row of the table. */
    record Row(String name, int submitted, int done, int failed, int open, long tokens, double ttftP50, double ttftP99,
               double tbtP99, double attainment, long switches, long reactivations, double loadSeconds) {}

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (ModelStatus s : statuses) rows.add(row(s.name(), records.stream().filter(r -> r.function.equals(s.name())).toList(),
                s.sloAttainment(), s.switches(), s.reactivations(), s.loadSeconds()));
        // Overall attainment: per-function ledger means weighted by completed requests.
        double weighted = 0;
        int weight = 0;
        long switches = 0, reactivations = 0;
        double load = 0;
        for (int i = 0; i < statuses.size(); i++) {
            ModelStatus s = statuses.get(i);
            switches += s.switches();
            reactivations += s.reactivations();
            load += s.loadSeconds();
            if (!Double.isNaN(s.sloAttainment())) {
                weighted += s.sloAttainment() * rows.get(i).done;
                weight += rows.get(i).done;
            }
        }
        rows.add(row("all", records, weight == 0 ? Double.NaN : weighted / weight, switches, reactivations, load));
        return rows;
    }

    private static Row row(String name, List<PoolGpuSmoke.RequestRecord> rs, double attainment, long switches, long reactivations,
                           double load) {
        List<Double> ttft = new ArrayList<>(), tbt = new ArrayList<>();
        int done = 0, failed = 0, open = 0;
        long tokens = 0;
        for (PoolGpuSmoke.RequestRecord r : rs) {
            if (r.completed()) done++;
            else if (r.error != null) failed++;
            else open++;
            double t = r.ttft();
            if (!Double.isNaN(t)) ttft.add(t);
            List<Double> g = r.gaps();
            tbt.addAll(g);
            tokens += g.size() + (Double.isNaN(t) ? 0 : 1);
        }
        return new Row(name, rs.size(), done, failed, open, tokens, pct(ttft, 50), pct(ttft, 99), pct(tbt, 99), attainment, switches,
                reactivations, load);
    }

    static double pct(List<Double> xs, double p) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "%-5s %5s %5s %5s %5s %7s %9s %9s %9s %7s %5s %6s %8s%n", "fn", "sent", "done", "fail", "open",
                "tokens", "ttft50 s", "ttft99 s", "tbt99 ms", "slo %", "sw", "react", "load s");
        for (Row r : rows()) {
            out.printf(Locale.ROOT, "%-5s %5d %5d %5d %5d %7d %9.3f %9.3f %9.1f %7.1f %5d %6d %8.2f%n", r.name, r.submitted,
                    r.done, r.failed, r.open, r.tokens, r.ttftP50, r.ttftP99, r.tbtP99 * 1000, r.attainment * 100, r.switches,
                    r.reactivations, r.loadSeconds);
        }
        out.printf(Locale.ROOT, "wall %.1f s, KV swaps %d%n", wallSeconds, kvSwaps);
        for (InstanceStats d : instances) {
            out.printf(Locale.ROOT, "device %d %-9s %s busy %.1f s (%.0f%% of wall)%n", d.instance(), d.role().name().toLowerCase(Locale.ROOT),
                    d.backend(), d.busySeconds(), 100 * d.busySeconds() / wallSeconds);
        }
        if (handoffs.count() > 0) {
            out.printf(Locale.ROOT, "KV hand-off per request (prefill done -> KV on the decode device): %d, mean %.2f ms, p50 %.2f ms, "
                    + "p99 %.2f ms, max %.2f ms%n", handoffs.count(), handoffs.meanSeconds() * 1000, handoffs.p50Seconds() * 1000,
                    handoffs.p99Seconds() * 1000, handoffs.maxSeconds() * 1000);
        }
        records.stream().filter(r -> r.error != null).limit(5).forEach(r -> out.println("error (" + r.function + "): " + r.error));
    }

    String json() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("backend", args.backend());
        j.put("shape", args.shape());
        j.put("functions", args.functions());
        j.put("sameSeed", args.sameSeed());
        j.put("ratePerFunction", args.rate());
        j.put("seconds", args.seconds());
        j.put("drainSeconds", args.drain());
        j.put("promptMean", args.prompt());
        j.put("outputMean", args.output());
        j.put("memoryGb", args.memoryGb());
        j.put("kvTokensPerModel", args.kvTokens());
        j.put("slo", Map.of("ttft", 10.0, "tpot", 0.1));
        j.put("wallSeconds", wallSeconds);
        j.put("kvSwaps", kvSwaps);
        j.put("devices", instances.size());
        j.put("mode", args.mode().name().toLowerCase(Locale.ROOT));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("count", handoffs.count());
        h.put("meanSeconds", handoffs.meanSeconds());
        h.put("p50Seconds", handoffs.p50Seconds());
        h.put("p99Seconds", handoffs.p99Seconds());
        h.put("maxSeconds", handoffs.maxSeconds());
        j.put("handoff", h);
        List<Map<String, Object>> busy = new ArrayList<>();
        for (InstanceStats d : instances) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("instance", d.instance());
            b.put("role", d.role().name().toLowerCase(Locale.ROOT));
            b.put("busySeconds", d.busySeconds());
            busy.add(b);
        }
        j.put("deviceBusySeconds", busy);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row r : rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("function", r.name);
            m.put("submitted", r.submitted);
            m.put("done", r.done);
            m.put("failed", r.failed);
            m.put("open", r.open);
            m.put("tokens", r.tokens);
            m.put("ttftP50", r.ttftP50);
            m.put("ttftP99", r.ttftP99);
            m.put("tbtP99", r.tbtP99);
            m.put("sloAttainment", r.attainment);
            m.put("switches", r.switches);
            m.put("reactivations", r.reactivations);
            m.put("loadSeconds", r.loadSeconds);
            rows.add(m);
        }
        j.put("rows", rows);
        return BenchJson.write(j) + "\n";
    }
}
