package dev.aegaeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated executor's count of KV held in host memory: out at a swap-out, back at its swap-in. */
class SimulatedExecutorSwapTest {
    private static final CostModel COST = new CostModel() {
        @Override public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) { return 0; }
        @Override public double decodeStepSeconds(String model, int batchSize, long contextTokens) { return 0; }
        @Override public double loadSeconds(String model, long bytes) { return 0; }
        @Override public double swapSeconds(long bytes) { return bytes * 1e-9; }
    };

    @Test
    void peakIsTheMostKvOutAtOnceAcrossInstances() {
        Trace empty = new Trace(List.of(), new int[0], Map.of(), 1);
        SimulatedExecutor x = new SimulatedExecutor(COST, new VirtualClock(), empty, new int[] {1, 1}, (t, e) -> { });
        x.submit(new Decision.SwapOut(0, 1, List.of(1L), 100));
        x.submit(new Decision.SwapOut(1, 2, List.of(2L), 50));   // 150 out at once, on two instances
        x.submit(new Decision.SwapIn(1, 3, List.of(1L), 100));   // a hand-off comes back elsewhere
        x.submit(new Decision.SwapOut(0, 4, List.of(3L), 80));   // 130 out
        assertEquals(150, x.peakSwappedBytes());
        x.submit(new Decision.SwapOut(0, 5, List.of(4L), 40));   // 170 out
        assertEquals(170, x.peakSwappedBytes());
    }
}
