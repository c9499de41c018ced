package dev.aegaeon.platform.dashboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.FunctionStatus;
import dev.aegaeon.platform.metrics.MicrometerInvocationMetrics;
import dev.aegaeon.platform.pool.PooledInferenceBackend;
import dev.aegaeon.platform.registry.FunctionRegistry.Registration;
import dev.aegaeon.worker.ModelPool;
import dev.aegaeon.worker.timeline.SpanKind;
import dev.aegaeon.worker.timeline.TimelineRecorder;
import dev.aegaeon.worker.timeline.TimelineRecorder.Bucket;
import dev.aegaeon.worker.timeline.TimelineRecorder.DeviceTimeline;
import dev.aegaeon.worker.timeline.TimelineRecorder.Slice;

/**
 * The dashboard's data, as one JSON-ready tree: the devices' timelines since a given time, every
 * function's tier, traffic, throughput, latency percentiles and SLO attainment, and the pool's
 * memory, switch rate and load bandwidth. A bucket is compact: {@code [index, busyMs, [[kind,
 * model, ms, tokens, bytes], ...]]} with kind one of P(refill) D(ecode) L(oad) O(swap out) I(swap
 * in). Never carries a function's API key: only whether it has one.
 */
public final class DashboardView {
    /** Seconds over which tokens per second, switches per minute and load bandwidth are measured. */
    static final double RATE_WINDOW_SECONDS = 10, SWITCH_WINDOW_SECONDS = 60;

    private final PlatformRuntime runtime;

    public DashboardView(PlatformRuntime runtime) {
        this.runtime = runtime;
    }

    /** The pool's timeline recorder, or null when the platform runs another backend. */
    TimelineRecorder recorder() {
        return runtime.backend() instanceof PooledInferenceBackend p ? p.pool().timeline() : null;
    }

    /** Everything, with buckets starting at or after {@code fromMillis} (epoch ms). */
    public Map<String, Object> snapshot(double fromMillis) { return snapshot(fromMillis, -1); }

    /**
     * Everything, with the buckets starting at or after {@code fromMillis} that changed after
     * {@code afterVersion} (the {@code version} of an earlier snapshot; -1 for all).
     */
    public Map<String, Object> snapshot(double fromMillis, long afterVersion) {
        TimelineRecorder rec = recorder();
        Map<String, Object> out = new LinkedHashMap<>();
        if (rec == null) {
            out.put("now", (double) System.currentTimeMillis());
            out.put("backend", runtime.backend().name());
            out.put("bucketMs", 50);
            out.put("devices", List.of());
            out.put("functions", functions(Map.of()));
            out.put("pool", Map.of());
            return out;
        }
        ModelPool pool = ((PooledInferenceBackend) runtime.backend()).pool();
        Timeline t = timeline(rec, fromMillis, afterVersion, pool::deviceBytesInUse, pool.deviceMemoryBytes());
        out.putAll(t.json());
        out.put("backend", runtime.backend().name());
        out.put("functions", functions(t.tokens()));
        Map<String, Object> p = t.pool();
        p.put("hostCacheBytes", pool.hostCacheBytes());
        p.put("switchesTotal", pool.switches());
        out.put("pool", p);
        return out;
    }

    /** The timeline's part of a snapshot, and the tokens each model produced over the rate window. */
    record Timeline(Map<String, Object> json, Map<String, Long> tokens, Map<String, Object> pool) {}

    /**
     * The devices' buckets (those from {@code fromMillis} changed after {@code afterVersion}) and
     * the pool's rates over their windows, from the recorder alone (the live page and recordings
     * made without a platform, such as the scale test's, share this shape).
     */
    static Timeline timeline(TimelineRecorder rec, double fromMillis, long afterVersion, IntToLongFunction memoryUsed, long memoryTotal) {
        double now = rec.nowMillis();
        return timeline(rec, now, fromMillis, afterVersion, memoryUsed, memoryTotal);
    }

    static Timeline timeline(TimelineRecorder rec, double now, double fromMillis, long afterVersion, IntToLongFunction memoryUsed,
                             long memoryTotal) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now);
        out.put("version", rec.version()); // before reading: a change racing this read is sent again next time
        List<DeviceTimeline> history = rec.since(Math.min(fromMillis, now - SWITCH_WINDOW_SECONDS * 1000));
        long rateFrom = (long) Math.floor((now - RATE_WINDOW_SECONDS * 1000) / rec.bucketMillis());
        long switchFrom = (long) Math.floor((now - SWITCH_WINDOW_SECONDS * 1000) / rec.bucketMillis());
        long sendFrom = (long) Math.floor(fromMillis / rec.bucketMillis());
        Map<String, Long> tokens = new HashMap<>();
        long loads = 0, loadBytes = 0, used = 0;
        double loadMillis = 0, busy = 0;
        List<Map<String, Object>> devices = new ArrayList<>();
        for (DeviceTimeline d : history) {
            for (Bucket b : d.compute()) {
                if (b.index() < rateFrom) continue;
                busy += b.busyMillis();
                for (Slice s : b.slices()) tokens.merge(s.model(), s.tokens(), Long::sum);
            }
            for (Bucket b : d.copy()) {
                if (b.index() < switchFrom) continue;
                for (Slice s : b.slices()) {
                    loads += s.spans();
                    loadBytes += s.bytes();
                    loadMillis += s.millis();
                }
            }
            Map<String, Object> dev = new LinkedHashMap<>();
            dev.put("device", d.device());
            dev.put("role", d.role());
            dev.put("resident", d.resident());
            long mem = memoryUsed.applyAsLong(d.device());
            used += mem;
            dev.put("memoryUsed", mem);
            dev.put("memoryTotal", memoryTotal);
            dev.put("compute", compact(d.compute(), sendFrom, afterVersion));
            dev.put("copy", compact(d.copy(), sendFrom, afterVersion));
            devices.add(dev);
        }
        out.put("bucketMs", rec.bucketMillis());
        out.put("devices", devices);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("deviceMemoryUsed", used);
        p.put("deviceMemoryTotal", memoryTotal * history.size());
        p.put("switchesPerMinute", loads * 60 / SWITCH_WINDOW_SECONDS);
        p.put("loadBytesPerSecond", loadMillis > 0 ? loadBytes / (loadMillis / 1000) : 0);
        p.put("busyShare", history.isEmpty() ? 0 : busy / (RATE_WINDOW_SECONDS * 1000 * history.size()));
        return new Timeline(out, tokens, p);
    }

    private static List<Object> compact(List<Bucket> buckets, long fromIndex, long afterVersion) {
        List<Object> out = new ArrayList<>();
        for (Bucket b : buckets) {
            if (b.index() < fromIndex || b.version() <= afterVersion) continue;
            List<Object> slices = new ArrayList<>(b.slices().size());
            for (Slice s : b.slices()) slices.add(List.of(code(s.kind()), s.model(), round(s.millis()), s.tokens(), s.bytes()));
            out.add(List.of(b.index(), round(b.busyMillis()), slices));
        }
        return out;
    }

    private static String code(SpanKind k) {
        return switch (k) {
            case PREFILL -> "P";
            case DECODE -> "D";
            case LOAD -> "L";
            case SWAP_OUT -> "O";
            case SWAP_IN -> "I";
            case FREE -> "F";
        };
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }

    private List<Map<String, Object>> functions(Map<String, Long> tokens) {
        List<Registration> all = new ArrayList<>(runtime.registry().all());
        all.sort(Comparator.comparing(r -> r.spec().name()));
        List<Map<String, Object>> out = new ArrayList<>(all.size());
        MicrometerInvocationMetrics metrics = runtime.metrics();
        for (Registration r : all) {
            String name = r.spec().name();
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", name);
            try {
                FunctionStatus s = runtime.backend().status(name);
                f.put("tier", s.state().name());
                f.put("switches", s.switches());
            } catch (BackendException.UnknownFunction e) {
                f.put("tier", "UNKNOWN");
            }
            var traffic = runtime.service().traffic(name);
            f.put("running", traffic.map(t -> t.running()).orElse(0));
            f.put("waiting", traffic.map(t -> t.waiting()).orElse(0));
            f.put("completed", traffic.map(t -> t.completed()).orElse(0L));
            f.put("tokensPerSecond", tokens.getOrDefault(name, 0L) / RATE_WINDOW_SECONDS);
            MicrometerInvocationMetrics.Latencies l = metrics.recentLatencies(name);
            f.put("ttft", l.ttft().length == 0 ? null : List.of(l.ttft()[0], l.ttft()[1]));
            f.put("tbt", l.timeBetweenTokens().length == 0 ? null : List.of(l.timeBetweenTokens()[0], l.timeBetweenTokens()[1]));
            var slo = metrics.recentSloAttainment(name);
            f.put("slo", slo.isPresent() ? slo.getAsDouble() : null);
            f.put("sloTarget", List.of(r.spec().slo().ttft().toMillis() / 1000.0, r.spec().slo().tpot().toMillis() / 1000.0));
            f.put("protected", r.spec().apiKey().isPresent());
            out.add(f);
        }
        return out;
    }
}
