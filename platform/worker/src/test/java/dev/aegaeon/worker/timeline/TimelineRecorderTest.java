package dev.aegaeon.worker.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TimelineRecorderTest {
    private static final double T0 = 1_000_000.0; // epoch ms on a bucket edge (10 ms buckets)

    @Test
    void spansAreSummedPerModelWithinABucketAndSplitAtItsEdges() {
        TimelineRecorder rec = new TimelineRecorder(List.of("colocated"), 10, 100);
        rec.recordMillis(0, SpanKind.DECODE, "a", T0, T0 + 3, 4, 0);
        rec.recordMillis(0, SpanKind.DECODE, "b", T0 + 3, T0 + 5, 2, 0);
        rec.recordMillis(0, SpanKind.DECODE, "a", T0 + 5, T0 + 15, 4, 0); // 5 ms in the first bucket, 5 in the second
        List<TimelineRecorder.Bucket> b = rec.since(T0).getFirst().compute();
        assertEquals(2, b.size());
        assertEquals(10, b.get(0).busyMillis(), 1e-9);
        assertEquals("a", b.get(0).slices().get(0).model(), "longest first");
        assertEquals(8, b.get(0).slices().get(0).millis(), 1e-9);
        assertEquals(4, b.get(0).slices().get(0).tokens(), "tokens count where the span ended");
        assertEquals(5, b.get(1).busyMillis(), 1e-9);
        assertEquals(4, b.get(1).slices().get(0).tokens());
    }

    @Test
    void loadsGoToTheCopyLaneAndResidencyIsTracked() {
        TimelineRecorder rec = new TimelineRecorder(List.of("prefill", "decode"), 10, 100);
        rec.recordMillis(1, SpanKind.LOAD, "a", T0, T0 + 25, 0, 1000);
        rec.resident(1, "a", true);
        TimelineRecorder.DeviceTimeline d = rec.since(T0).get(1);
        assertEquals(List.of(), d.compute());
        assertEquals(3, d.copy().size());
        assertEquals(1000, d.copy().get(2).slices().getFirst().bytes());
        assertEquals(List.of("a"), d.resident());
        rec.resident(1, "a", false);
        assertEquals(List.of(), rec.since(T0).get(1).resident());
        rec.recordMillis(1, SpanKind.FREE, "a", T0 + 30, T0 + 34, 0, 0);
        d = rec.since(T0).get(1);
        assertEquals(List.of(), d.compute(), "freeing an evicted model is copy-thread work too");
        assertEquals(SpanKind.FREE, d.copy().getLast().slices().getFirst().kind());
    }

    @Test
    void memoryStaysBoundedAndOnlyChangedBucketsAreReadAgain() {
        TimelineRecorder rec = new TimelineRecorder(List.of("colocated"), 10, 50);
        for (int i = 0; i < 10_000; i++) rec.recordMillis(0, SpanKind.DECODE, "m" + (i % 100), T0 + i * 10, T0 + i * 10 + 7, 1, 0);
        List<TimelineRecorder.Bucket> all = rec.since(0).getFirst().compute();
        assertEquals(50, all.size(), "the ring keeps its size");
        long seen = rec.version();
        assertEquals(List.of(), rec.since(0, seen).getFirst().compute());
        // a long span recorded when it ends fills buckets a reader already passed: they are read again
        double end = T0 + 10_000 * 10 + 200;
        rec.recordMillis(0, SpanKind.PREFILL, "x", end - 200, end, 1, 0);
        List<TimelineRecorder.Bucket> changed = rec.since(0, seen).getFirst().compute();
        assertTrue(changed.size() >= 20, "every bucket the span covered: " + changed.size());
        assertTrue(changed.stream().allMatch(b -> b.slices().stream().anyMatch(s -> s.model().equals("x"))));
    }
}
