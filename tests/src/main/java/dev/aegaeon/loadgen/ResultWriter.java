package dev.aegaeon.loadgen;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Writes a point as JSON (run metadata, the summary, every request), the sweep as CSV, and a table row. */
final class ResultWriter {
    static final String CSV_HEADER = "policy,functions,requests,ok,failed,cancelled,attainment,ttft_p50_s,ttft_p99_s,tbt_p99_s,"
            + "both_slos_share,tokens,window_s,elapsed_s,switches,switches_per_min,busy_s,gpu_busy_share,load_s";
    private ResultWriter() {}

    static Path writeJson(LoadgenOptions o, LoadPoint.Result r, Path dir) throws IOException {
        ObjectNode root = CompletionChunk.JSON.createObjectNode();
        root.put("date", Instant.now().toString());
        root.put("policy", o.policyLabel());
        o.card().ifPresent(c -> root.put("card", c));
        o.commit().ifPresent(c -> root.put("commit", c));
        root.put("host_cpus", Runtime.getRuntime().availableProcessors());
        root.put("functions", r.functions());
        root.put("url", o.base().toString());
        ObjectNode model = root.putObject("model");
        model.put("shape", o.shape());
        model.put("seed", o.modelSeed());
        model.put("note", "every function uses the same synthetic shape and seed, so the host may share one weight image; "
                + "the GPU loads, switches and caches them as distinct models");
        ObjectNode w = root.putObject("workload");
        w.put("generator", "dev.aegaeon.sim.WorkloadGenerator.poisson (ShareGPT-like lognormal lengths)");
        w.put("seconds", o.seconds());
        w.put("rate_per_function", o.ratePerFunction());
        w.put("seed", o.traceSeed());
        w.put("max_seq", o.maxSeq());
        w.put("vocab_for_prompt_ids", o.vocab());
        w.put("warmup", o.warmup());
        w.put("drain_s", o.drainSeconds());
        w.put("slo_ttft_s", o.ttftSeconds());
        w.put("slo_tpot_s", o.tpotSeconds());
        PointSummary s = r.summary();
        root.set("summary", summary(s));
        root.put("metric_note", "attainment: the paper's per-token deadline metric (dev.aegaeon.scheduler.SloLedger) on client-side "
                + "times; switches/busy: deltas of " + String.join("|", PointSummary.SWITCH_METRICS) + " and "
                + String.join("|", PointSummary.BUSY_METRICS) + " from /q/metrics (absent when not exported)");
        ArrayNode warm = root.putArray("warmup_errors");
        r.warmupErrors().forEach(warm::add);
        ArrayNode reqs = root.putArray("requests");
        for (RequestOutcome out : r.outcomes()) {
            ObjectNode q = reqs.addObject();
            PlannedRequest p = out.planned();
            q.put("id", p.id());
            q.put("function", p.function());
            q.put("arrival_s", p.arrivalSeconds());
            q.put("sent_s", out.sentAt());
            q.put("prompt_tokens", p.promptTokens());
            q.put("max_tokens", p.outputTokens());
            q.put("http_status", out.httpStatus());
            q.put("chunks", out.tokens());
            double[] t = out.tokenTimes();
            if (t.length > 0) q.put("ttft_s", t[0] - out.sentAt());
            if (t.length > 1) {
                double max = 0;
                for (int k = 1; k < t.length; k++) max = Math.max(max, t[k] - t[k - 1]);
                q.put("tbt_max_s", max);
                q.put("tbt_mean_s", (t[t.length - 1] - t[0]) / (t.length - 1));
            }
            if (o.tokenTimes()) {
                ArrayNode times = q.putArray("token_times_s");
                for (double x : t) times.add(Math.round(x * 1e6) / 1e6);
            }
            if (out.finishReason() != null) q.put("finish_reason", out.finishReason());
            if (out.usageCompletionTokens() >= 0) q.put("usage_completion_tokens", out.usageCompletionTokens());
            if (out.usagePromptTokens() >= 0) q.put("usage_prompt_tokens", out.usagePromptTokens());
            if (out.error() != null) q.put("error", out.error());
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("loadgen-" + safe(o.policyLabel()) + "-n" + r.functions() + ".json");
        CompletionChunk.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
        return file;
    }

    private static ObjectNode summary(PointSummary s) {
        ObjectNode n = CompletionChunk.JSON.createObjectNode();
        n.put("functions", s.functions());
        n.put("requests", s.requests());
        n.put("ok", s.ok());
        n.put("failed", s.failed());
        n.put("cancelled", s.cancelled());
        putNumber(n, "attainment", s.attainment());
        putNumber(n, "ttft_p50_s", s.ttftP50());
        putNumber(n, "ttft_p99_s", s.ttftP99());
        putNumber(n, "tbt_p99_s", s.tbtP99());
        putNumber(n, "both_slos_share", s.bothSlosShare());
        n.put("token_chunks", s.tokens());
        n.put("window_s", s.windowSeconds());
        n.put("elapsed_s", s.elapsedSeconds());
        n.put("max_send_lag_s", s.maxSendLagSeconds());
        s.switches().ifPresent(v -> n.put("switches", v));
        s.switchesPerMinute().ifPresent(v -> n.put("switches_per_min", v));
        s.busySeconds().ifPresent(v -> n.put("busy_s", v));
        s.gpuBusyShare().ifPresent(v -> n.put("gpu_busy_share", v));
        s.loadSeconds().ifPresent(v -> n.put("load_s", v));
        ArrayNode e = n.putArray("sample_errors");
        s.sampleErrors().forEach(e::add);
        return n;
    }

    /** JSON has no NaN/Infinity: those become null (no data) and the string "inf". */
    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) n.putNull(field);
        else if (Double.isInfinite(v)) n.put(field, "inf");
        else n.put(field, v);
    }

    static String csvRow(String policy, PointSummary s) {
        return String.join(",", policy, String.valueOf(s.functions()), String.valueOf(s.requests()), String.valueOf(s.ok()),
                String.valueOf(s.failed()), String.valueOf(s.cancelled()), num(s.attainment()), num(s.ttftP50()), num(s.ttftP99()),
                num(s.tbtP99()), num(s.bothSlosShare()), String.valueOf(s.tokens()), num(s.windowSeconds()), num(s.elapsedSeconds()),
                opt(s.switches()), opt(s.switchesPerMinute()), opt(s.busySeconds()), opt(s.gpuBusyShare()), opt(s.loadSeconds()));
    }

    static Path writeCsv(LoadgenOptions o, List<PointSummary> points, Path dir) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (PointSummary s : points) sb.append(csvRow(o.policyLabel(), s)).append('\n');
        Files.createDirectories(dir);
        Path file = dir.resolve("loadgen-" + safe(o.policyLabel()) + ".csv");
        Files.writeString(file, sb);
        return file;
    }

    static void printTable(PrintStream out, String policy, List<PointSummary> points) {
        out.printf("%-14s %3s %5s %5s %5s %6s %8s %8s %8s %8s %9s %9s%n", "policy", "N", "reqs", "ok", "fail", "cancel", "attain",
                "ttft50", "ttft99", "tbt99", "sw/min", "busy");
        for (PointSummary s : points) {
            out.printf("%-14s %3d %5d %5d %5d %6d %8.4f %8.3f %8.3f %8.3f %9s %9s%n", policy, s.functions(), s.requests(), s.ok(),
                    s.failed(), s.cancelled(), s.attainment(), s.ttftP50(), s.ttftP99(), s.tbtP99(),
                    s.switchesPerMinute().map(v -> String.format(Locale.ROOT, "%.1f", v)).orElse("n/a"),
                    s.gpuBusyShare().map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("n/a"));
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : (Double.isNaN(v) ? "" : "inf");
    }

    private static String opt(Optional<Double> v) {
        return v.map(ResultWriter::num).orElse("");
    }

    private static String safe(String label) {
        return label.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
