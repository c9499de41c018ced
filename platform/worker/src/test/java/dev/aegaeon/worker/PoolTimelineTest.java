package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.worker.timeline.SpanKind;
import dev.aegaeon.worker.timeline.TimelineRecorder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool's timeline records what its devices really did: each model's loads, prefills and decode steps, and residency. */
class PoolTimelineTest {
    @Test
    void stepsAndLoadsOfEveryModelAreRecordedPerDevice() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            double start = pool.timeline().nowMillis();
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("t" + m, "tiny-llama", 70 + m));
            List<CollectingSink> sinks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                for (int m = 0; m < 2; m++) {
                    CollectingSink sink = new CollectingSink();
                    pool.submit("t" + m, Reference.prompt(i + 10 * m, 6), Reference.greedy(8), sink);
                    sinks.add(sink);
                }
            }
            for (CollectingSink s : sinks) s.await();

            TimelineRecorder.DeviceTimeline d = pool.timeline().since(start).getFirst();
            Map<String, Long> tokens = new HashMap<>();
            Map<SpanKind, Integer> spans = new HashMap<>();
            for (TimelineRecorder.Bucket b : d.compute()) {
                for (TimelineRecorder.Slice s : b.slices()) {
                    tokens.merge(s.model() + "/" + s.kind(), s.tokens(), Long::sum);
                    spans.merge(s.kind(), s.spans(), Integer::sum);
                }
            }
            long generated = sinks.stream().mapToLong(s -> s.completionTokens).sum();
            long recorded = tokens.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(generated, recorded, "one token per request per step: " + tokens);
            for (String m : List.of("t0", "t1")) {
                assertTrue(tokens.getOrDefault(m + "/PREFILL", 0L) > 0 && tokens.getOrDefault(m + "/DECODE", 0L) > 0, "steps of " + m + ": " + tokens);
            }
            long loads = d.copy().stream().flatMap(b -> b.slices().stream()).filter(s -> s.kind() == SpanKind.LOAD).mapToLong(s -> s.spans()).sum();
            assertEquals(pool.switches(), loads, "a load span per switch");
            assertTrue(d.resident().stream().allMatch(m -> m.equals("t0") || m.equals("t1")) && !d.resident().isEmpty(), "resident: " + d.resident());
        }
    }
}
