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
 * Evictions as the worker runs them: the freeing of an evicted model's memory holds the instance's
 * copy engine, so a load queued after it waits (the H100's copy thread spent 21.7 of 120 s freeing).
 * A cost model that charges nothing for a free leaves loads as they were.
 */
class SimulatedExecutorEvictionTest {
    private static CostModel cost(double loadSeconds, double evictSeconds) {
        CostModel base = new CostModel() {
            @Override public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) { return 0; }
            @Override public double decodeStepSeconds(String model, int batchSize, long contextTokens) { return 0; }
            @Override public double loadSeconds(String model, long bytes) { return loadSeconds; }
            @Override public double swapSeconds(long bytes) { return 0; }
        };
        return new AdjustedCostModel(base, 1, 1, Double.NaN, evictSeconds);
    }

    private static Trace trace() {
        return new Trace(List.of(new RequestSpec(0, "a", 10, 4, 0, SloTargets.PAPER_DEFAULT)), new int[] {4}, Map.of(), 1);
    }

    private static List<Double> loadTimes(CostModel cost) {
        List<Double> done = new ArrayList<>();
        SimulatedExecutor x = new SimulatedExecutor(cost, new VirtualClock(), trace(), new int[] {1, 1},
                (t, e) -> { if (e instanceof Event.LoadDone) done.add(t); });
        x.submit(new Decision.LoadModel(0, "a", 1, false));
        x.submit(new Decision.EvictModel(0, "b"));
        x.submit(new Decision.LoadModel(0, "c", 1, false));
        x.submit(new Decision.EvictModel(1, "d"));               // another instance's engine
        x.submit(new Decision.LoadModel(1, "e", 1, false));
        return done;
    }

    @Test
    void aFreeHoldsTheCopyEngineAheadOfTheNextLoadOnItsInstance() {
        assertEquals(List.of(0.4, 0.95, 0.55), round(loadTimes(cost(0.4, 0.15))), "the second load waits for the free after the first");
    }

    @Test
    void freesThatCostNothingLeaveLoadsAsTheyWere() {
        assertEquals(List.of(0.4, 0.8, 0.4), round(loadTimes(cost(0.4, 0))));
        assertEquals(List.of(0.4, 0.8, 0.4), round(loadTimes(cost(0.4, Double.NaN))), "the base model's default: free");
    }

    /**
     * As the worker freed before the move: on the scheduler's thread, after the copy in flight, so
     * nothing is issued anywhere until the free ends, and the copy engine itself is not held.
     */
    @Test
    void aBlockingFreeDelaysEveryDecisionAfterIt() {
        List<Double> loads = new ArrayList<>(), steps = new ArrayList<>();
        CostModel cost = new AdjustedCostModel(new CostModel() {
            @Override public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) { return 0.01; }
            @Override public double decodeStepSeconds(String model, int batchSize, long contextTokens) { return 0.01; }
            @Override public double loadSeconds(String model, long bytes) { return 0.4; }
            @Override public double swapSeconds(long bytes) { return 0; }
        }, 1, 1, Double.NaN, 0.15);
        SimulatedExecutor x = new SimulatedExecutor(cost, new VirtualClock(), trace(), new int[] {1, 1}, new boolean[2], (t, e) -> {
            if (e instanceof Event.LoadDone) loads.add(t);
            if (e instanceof Event.DecodeStepDone) steps.add(t);
        }, SimulatedExecutor.Evictions.BLOCKING_SCHEDULER);
        x.submit(new Decision.LoadModel(0, "a", 1, false));        // copies until 0.4
        x.submit(new Decision.EvictModel(0, "b"));                 // waits for it, frees until 0.55
        x.submit(new Decision.RunDecodeStep(1, 1, "c", List.of(0L), 10, 1)); // another instance, still blocked
        x.submit(new Decision.LoadModel(0, "d", 1, false));
        assertEquals(List.of(0.4, 0.95), round(loads), "the copy engine was free again at 0.4, but the load is issued at 0.55");
        assertEquals(List.of(0.56), round(steps));
    }

    private static List<Double> round(List<Double> xs) {
        return xs.stream().map(x -> Math.round(x * 1e9) / 1e9).toList();
    }
}
