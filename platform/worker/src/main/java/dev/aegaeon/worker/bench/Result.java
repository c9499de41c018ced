package dev.aegaeon.worker.bench;

import dev.aegaeon.worker.HandoffStats;
import dev.aegaeon.worker.InstanceStats;
import dev.aegaeon.worker.ModelStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

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
        StringBuilder b = new StringBuilder("{\n");
        b.append(String.format(Locale.ROOT,
                "  \"backend\": \"%s\", \"shape\": \"%s\", \"functions\": %d, \"sameSeed\": %b, \"ratePerFunction\": %s, \"seconds\": %s, "
                        + "\"drainSeconds\": %s, \"promptMean\": %s, \"outputMean\": %s, \"memoryGb\": %s, \"kvTokensPerModel\": %d, "
                        + "\"slo\": {\"ttft\": 10.0, \"tpot\": 0.1}, \"wallSeconds\": %s, \"kvSwaps\": %d,\n",
                args.backend(), args.shape(), args.functions(), args.sameSeed(), num(args.rate()), num(args.seconds()), num(args.drain()),
                num(args.prompt()), num(args.output()), num(args.memoryGb()), args.kvTokens(), num(wallSeconds), kvSwaps));
        b.append(String.format(Locale.ROOT, "  \"devices\": %d, \"mode\": \"%s\", \"handoff\": {\"count\": %d, \"meanSeconds\": %s, "
                        + "\"p50Seconds\": %s, \"p99Seconds\": %s, \"maxSeconds\": %s},\n  \"deviceBusySeconds\": [",
                instances.size(), args.mode().name().toLowerCase(Locale.ROOT), handoffs.count(), num(handoffs.meanSeconds()),
                num(handoffs.p50Seconds()), num(handoffs.p99Seconds()), num(handoffs.maxSeconds())));
        for (int i = 0; i < instances.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"instance\": %d, \"role\": \"%s\", \"busySeconds\": %s}",
                    instances.get(i).instance(), instances.get(i).role().name().toLowerCase(Locale.ROOT), num(instances.get(i).busySeconds())));
        }
        b.append("],\n  \"rows\": [\n");
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            b.append(String.format(Locale.ROOT,
                    "    {\"function\": \"%s\", \"submitted\": %d, \"done\": %d, \"failed\": %d, \"open\": %d, \"tokens\": %d, "
                            + "\"ttftP50\": %s, \"ttftP99\": %s, \"tbtP99\": %s, \"sloAttainment\": %s, \"switches\": %d, \"reactivations\": %d, "
                            + "\"loadSeconds\": %s}%s\n",
                    r.name, r.submitted, r.done, r.failed, r.open, r.tokens, num(r.ttftP50), num(r.ttftP99), num(r.tbtP99),
                    num(r.attainment), r.switches, r.reactivations, num(r.loadSeconds), i + 1 < rows.size() ? "," : ""));
        }
        return b.append("  ]\n}\n").toString();
    }

    private static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null"; }
}
