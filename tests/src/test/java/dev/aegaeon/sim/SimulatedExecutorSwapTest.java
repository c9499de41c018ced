package dev.aegaeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulated executor's host memory for swapped-out KV, as the worker holds it: counted from a
 * swap-out to its swap-in, bounded per GPU (fp32 on the host, twice the device's bytes), a swap-out
 * past the bound dropped and recomputed by a prefill at swap-in; hand-offs from prefill instances
 * take none.
 */
class SimulatedExecutorSwapTest {
    /** Copies at 1 byte a nanosecond; a prefill at 1 ms a token; nothing else takes time. */
    private static final CostModel COST = new CostModel() {
        @Override public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) { return tokens * 1e-3; }
        @Override public double decodeStepSeconds(String model, int batchSize, long contextTokens) { return 0; }
        @Override public double loadSeconds(String model, long bytes) { return 0; }
        @Override public double swapSeconds(long bytes) { return bytes * 1e-9; }
    };

    /** Five requests of 10 prompt tokens each. */
    private static Trace trace() {
        List<RequestSpec> reqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) reqs.add(new RequestSpec(i, "m", 10, 4, 0, SloTargets.PAPER_DEFAULT));
        return new Trace(reqs, new int[] {4, 4, 4, 4, 4}, Map.of(), 1);
    }

    private record Done(double time, Event event) {}

    @Test
    void peakIsTheMostKvOutAtOnceAcrossInstances() {
        SimulatedExecutor x = new SimulatedExecutor(COST, new VirtualClock(), trace(), new int[] {1, 1}, (t, e) -> { });
        x.submit(new Decision.SwapOut(0, 1, List.of(1L), 100));
        x.submit(new Decision.SwapOut(1, 2, List.of(2L), 50));   // 150 out at once, on two instances
        x.submit(new Decision.SwapIn(1, 3, List.of(1L), 100));   // back on the other instance
        x.submit(new Decision.SwapOut(0, 4, List.of(3L), 80));   // 130 out
        assertEquals(150, x.peakSwappedBytes());
        x.submit(new Decision.SwapOut(0, 5, List.of(4L), 40));   // 170 out
        assertEquals(170, x.peakSwappedBytes());
        assertEquals(0, x.recomputes());
    }

    @Test
    void pastTheHostBudgetASwapOutIsDroppedAndItsSwapInRecomputes() {
        // 2 GPUs x 200 bytes of host memory = 400 host bytes = 200 device bytes (fp32 on the host)
        List<Done> done = new ArrayList<>();
        SimulatedExecutor x = new SimulatedExecutor(COST, new VirtualClock(), trace().withKvSwapBytesPerGpu(200), new int[] {1, 1},
                (t, e) -> done.add(new Done(t, e)));
        x.submit(new Decision.SwapOut(0, 1, List.of(0L, 1L), 160));  // 80 + 80 device bytes: kept
        x.submit(new Decision.SwapOut(0, 2, List.of(2L), 80));       // 240 > 200: dropped, no copy
        assertEquals(1, x.recomputes());
        assertEquals(160, x.peakSwappedBytes());
        assertEquals(160e-9, done.get(1).time(), 1e-15, "a dropped swap-out adds no copy time to the engine");
        x.submit(new Decision.SwapIn(0, 3, List.of(2L), 80));        // recomputed: a 10-token prefill
        assertEquals(10e-3, done.get(2).time(), 1e-12);
        x.submit(new Decision.SwapIn(0, 4, List.of(0L, 1L), 160));   // copied back
        assertEquals(10e-3 + 160e-9, done.get(3).time(), 1e-12, "after the recompute on the same copy engine");
        x.submit(new Decision.SwapOut(0, 5, List.of(3L), 80));       // room again
        assertEquals(1, x.recomputes());
    }

    @Test
    void handOffsFromPrefillInstancesTakeNoHostMemory() {
        SimulatedExecutor x = new SimulatedExecutor(COST, new VirtualClock(), trace().withKvSwapBytesPerGpu(0), new int[] {1, 1},
                new boolean[] {true, false}, (t, e) -> { });
        x.submit(new Decision.SwapOut(0, 1, List.of(0L), 100));      // a hand-off: device to device
        x.submit(new Decision.SwapIn(1, 2, List.of(0L), 100));
        assertEquals(0, x.recomputes());
        assertEquals(0, x.peakSwappedBytes());
        x.submit(new Decision.SwapOut(1, 3, List.of(0L), 100));      // a decode instance's swap-out with no host budget
        assertEquals(1, x.recomputes());
    }
}
