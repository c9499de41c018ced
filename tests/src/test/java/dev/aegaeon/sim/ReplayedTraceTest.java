package dev.aegaeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A loadgen point JSON becomes the same trace: send times, lengths as served, every function. */
class ReplayedTraceTest {
    @TempDir
    Path dir;

    @Test
    void readsRequestsInSendOrderWithServedLengths() throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, """
                {"policy":"aegaeon","functions":3,
                 "workload":{"seconds":80,"drain_s":40,"slo_ttft_s":10,"slo_tpot_s":0.1},
                 "summary":{"attainment":0.9},
                 "requests":[
                   {"id":1,"function":"fn2","arrival_s":5.0,"sent_s":5.001,"prompt_tokens":30,"max_tokens":50,"ttft_s":0.5,"usage_completion_tokens":12},
                   {"id":0,"function":"fn0","arrival_s":1.0,"sent_s":1.002,"prompt_tokens":10,"max_tokens":20}
                 ]}""");
        ReplayedTrace rt = ReplayedTrace.read(f);
        assertEquals(List.of("fn0", "fn1", "fn2"), List.copyOf(rt.trace().models().keySet()));
        assertEquals("fn0", rt.trace().requests().get(0).model());
        assertEquals(1.002, rt.trace().requests().get(0).arrivalSeconds());
        assertEquals(20, rt.trace().outputTokens()[0]);
        assertEquals(12, rt.trace().outputTokens()[1]);
        assertTrue(Double.isInfinite(rt.measuredTtft()[0]));
        assertEquals(0.5, rt.measuredTtft()[1]);
        assertEquals(40, rt.drainSeconds());
        assertEquals(0.9, rt.measured("attainment"));
        assertTrue(Double.isNaN(rt.measured("busy_s")));
    }

    @Test
    void refusesFilesThatAreNotLoadgenPoints() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"requests\": 3}");
        var e = assertThrows(IllegalArgumentException.class, () -> ReplayedTrace.read(f));
        assertTrue(e.getMessage().contains("loadgen point"), e.getMessage());
        Files.writeString(f, "not json");
        assertThrows(IllegalArgumentException.class, () -> ReplayedTrace.read(f));
    }
}
