package dev.aegaeon.worker.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each device of the pool did, recently, aggregated into fixed time buckets: a bounded ring
 * per device and lane (compute: prefill, decode and KV swaps; copy: weight loads, which overlap
 * compute). A span that ends is added to the buckets it covers, split at bucket edges; within a
 * bucket, time is summed per (kind, model). Gaps are idle time.
 *
 * <p>Invariants: memory is bounded ({@code bucketsKept} buckets per lane, a few slices each);
 * {@link #record} takes only its lane's monitor for a few array writes and is never called while
 * device work is in progress (callers time the work, then record); readers copy under the same
 * monitor. Times are epoch milliseconds, derived from {@link System#nanoTime()} against one base
 * taken at construction, so spans from different threads line up.
 */
public final class TimelineRecorder {
    private final int bucketMillis;
    private final int bucketsKept;
    private final long baseNanos = System.nanoTime();
    private final long baseMillis = System.currentTimeMillis();
    private final Lane[] compute, copy;
    private final List<Set<String>> resident;
    private final List<String> roles;
    /** Stamps every change: a reader that saw version v asks later for the buckets changed after v. */
    private final java.util.concurrent.atomic.AtomicLong versions = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param roles        one per device, in instance order ("colocated", "prefill", "decode")
     * @param bucketMillis width of a bucket (the timeline's resolution)
     * @param bucketsKept  buckets kept per lane (history = bucketMillis x bucketsKept)
     */
    public TimelineRecorder(List<String> roles, int bucketMillis, int bucketsKept) {
        if (bucketMillis < 1 || bucketsKept < 2) throw new IllegalArgumentException("bucketMillis >= 1 and bucketsKept >= 2");
        this.bucketMillis = bucketMillis;
        this.bucketsKept = bucketsKept;
        this.roles = List.copyOf(roles);
        this.compute = new Lane[roles.size()];
        this.copy = new Lane[roles.size()];
        List<Set<String>> res = new ArrayList<>();
        for (int i = 0; i < roles.size(); i++) {
            compute[i] = new Lane(bucketMillis, bucketsKept, versions);
            copy[i] = new Lane(bucketMillis, bucketsKept, versions);
            res.add(ConcurrentHashMap.newKeySet());
        }
        this.resident = List.copyOf(res);
    }

    /** 50 ms buckets, five minutes kept. */
    public static TimelineRecorder forDevices(List<String> roles) { return new TimelineRecorder(roles, 50, 6000); }

    public int bucketMillis() { return bucketMillis; }

    public int devices() { return roles.size(); }

    /** Milliseconds of history kept per lane. */
    public long historyMillis() { return (long) bucketMillis * bucketsKept; }

    /** Epoch milliseconds of a {@link System#nanoTime()} reading. */
    public double epochMillis(long nanoTime) { return baseMillis + (nanoTime - baseNanos) / 1e6; }

    /** Epoch milliseconds now, on the recorder's time base. */
    public double nowMillis() { return epochMillis(System.nanoTime()); }

    /**
     * A span of work that ended: {@code kind} of model {@code model} on device {@code device} from
     * {@code startNanos} to {@code endNanos} ({@link System#nanoTime()}), producing {@code tokens}
     * tokens (steps) or moving {@code bytes} (loads, swaps). Ignored for an unknown device.
     */
    public void record(int device, SpanKind kind, String model, long startNanos, long endNanos, int tokens, long bytes) {
        if (device < 0 || device >= roles.size()) return;
        Lane lane = kind.onCopyLane() ? copy[device] : compute[device];
        lane.add(kind, model, epochMillis(startNanos), epochMillis(Math.max(startNanos, endNanos)), tokens, bytes);
    }

    /** A recorded span given directly in epoch milliseconds (replays and simulations). */
    public void recordMillis(int device, SpanKind kind, String model, double startMs, double endMs, int tokens, long bytes) {
        if (device < 0 || device >= roles.size()) return;
        Lane lane = kind.onCopyLane() ? copy[device] : compute[device];
        lane.add(kind, model, startMs, Math.max(startMs, endMs), tokens, bytes);
    }

    /** Model {@code model}'s weights arrived on ({@code on}) or left device {@code device}. */
    public void resident(int device, String model, boolean on) {
        if (device < 0 || device >= roles.size()) return;
        if (on) resident.get(device).add(model);
        else resident.get(device).remove(model);
    }

    /**
     * The latest change's version. Read it before {@link #since}: a later call with it as
     * {@code afterVersion} returns every bucket changed since, including earlier buckets that a
     * long span (recorded when it ends) filled in after they were read.
     */
    public long version() { return versions.get(); }

    /** Every device's buckets that start at or after {@code fromMillis} (the open bucket included). */
    public List<DeviceTimeline> since(double fromMillis) { return since(fromMillis, -1); }

    /** Those of {@link #since(double)} changed after version {@code afterVersion}. */
    public List<DeviceTimeline> since(double fromMillis, long afterVersion) {
        List<DeviceTimeline> out = new ArrayList<>(roles.size());
        long fromIndex = (long) Math.floor(fromMillis / bucketMillis);
        for (int i = 0; i < roles.size(); i++) {
            out.add(new DeviceTimeline(i, roles.get(i), List.copyOf(new TreeSet<>(resident.get(i))),
                    compute[i].since(fromIndex, afterVersion), copy[i].since(fromIndex, afterVersion)));
        }
        return out;
    }

    /** One device's recent history. */
    public record DeviceTimeline(int device, String role, List<String> resident, List<Bucket> compute, List<Bucket> copy) {}

    /**
     * One bucket of a lane: it starts at {@code index * bucketMillis} (epoch ms); its slices, longest
     * first, sum to {@code busyMillis} (at most the bucket's width; the rest was idle).
     */
    public record Bucket(long index, double busyMillis, List<Slice> slices, long version) {}

    /** Time one model spent on one kind of work within a bucket, with the steps, tokens and bytes of that work. */
    public record Slice(SpanKind kind, String model, double millis, int spans, long tokens, long bytes) {}

    /** A ring of buckets; the newest one is open (still accumulating). Guarded by its own monitor. */
    private static final class Lane {
        private final int width;
        private final Bucket[] ring;
        private long openIndex = Long.MIN_VALUE;
        private final List<Acc> open = new ArrayList<>(4);
        private final java.util.concurrent.atomic.AtomicLong versions;
        private long openVersion;

        Lane(int width, int kept, java.util.concurrent.atomic.AtomicLong versions) {
            this.width = width;
            this.ring = new Bucket[kept];
            this.versions = versions;
        }

        synchronized void add(SpanKind kind, String model, double startMs, double endMs, int tokens, long bytes) {
            long version = versions.incrementAndGet(); // under the lane's monitor: a reader holding it sees all versions <= its read
            long first = (long) Math.floor(startMs / width), last = (long) Math.floor(endMs / width);
            if (first < openIndex) first = openIndex; // a span from before the open bucket: count it there
            if (last < first) last = first;
            if (last - first >= ring.length) first = last - ring.length + 1; // longer than the history: keep the tail
            double total = Math.max(endMs - startMs, 0);
            for (long b = first; b <= last; b++) {
                if (b != openIndex) roll(b);
                openVersion = version;
                double lo = Math.max(startMs, (double) b * width), hi = Math.min(endMs, (double) (b + 1) * width);
                double ms = first == last ? total : Math.max(0, hi - lo);
                // the counts go to the bucket the span ended in, its time to every bucket it covered
                boolean end = b == last;
                acc(kind, model).add(ms, end ? 1 : 0, end ? tokens : 0, end ? bytes : 0);
            }
        }

        private Acc acc(SpanKind kind, String model) {
            for (Acc a : open) if (a.kind == kind && a.model.equals(model)) return a;
            Acc a = new Acc(kind, model);
            open.add(a);
            return a;
        }

        private void roll(long next) {
            if (openIndex != Long.MIN_VALUE && !open.isEmpty()) ring[(int) Math.floorMod(openIndex, (long) ring.length)] = seal(openIndex);
            open.clear();
            openIndex = next;
        }

        private Bucket seal(long index) {
            List<Slice> slices = new ArrayList<>(open.size());
            double busy = 0;
            for (Acc a : open) {
                slices.add(new Slice(a.kind, a.model, a.millis, a.spans, a.tokens, a.bytes));
                busy += a.millis;
            }
            slices.sort((x, y) -> Double.compare(y.millis(), x.millis()));
            return new Bucket(index, Math.min(busy, width), List.copyOf(slices), openVersion);
        }

        synchronized List<Bucket> since(long fromIndex, long afterVersion) {
            List<Bucket> out = new ArrayList<>();
            long oldest = openIndex == Long.MIN_VALUE ? 0 : openIndex - ring.length + 1;
            long from = Math.max(fromIndex, oldest);
            if (openIndex == Long.MIN_VALUE) return out;
            for (long idx = from; idx < openIndex; idx++) {
                Bucket b = ring[(int) Math.floorMod(idx, (long) ring.length)];
                if (b != null && b.index() == idx && b.version() > afterVersion) out.add(b); // a stale slot holds an older index
            }
            if (!open.isEmpty() && openIndex >= fromIndex && openVersion > afterVersion) out.add(seal(openIndex));
            return out;
        }
    }

    private static final class Acc {
        final SpanKind kind;
        final String model;
        double millis;
        int spans;
        long tokens, bytes;

        Acc(SpanKind kind, String model) {
            this.kind = kind;
            this.model = model;
        }

        void add(double ms, int spans, long tokens, long bytes) {
            this.millis += ms;
            this.spans += spans;
            this.tokens += tokens;
            this.bytes += bytes;
        }
    }
}
