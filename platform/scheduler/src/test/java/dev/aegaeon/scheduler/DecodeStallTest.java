package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decode instance whose swapped-out member does not fit until idle weights are evicted: the
 * eviction frees memory at once and has no completion event, so the swap-in must be issued in the
 * same pass, or nothing ever wakes the instance again.
 */
class DecodeStallTest {
    private static final long GB = 1_000_000_000L;
    private static final long MB = 1_000_000L;
    private final List<ModelSpec> models = List.of(new ModelSpec("a", 30 * GB, MB), new ModelSpec("b", 30 * GB, MB));

    @Test
    void swapInIsIssuedInTheSamePassThatEvictsIdleWeights() {
        Map<Long, RequestState> end = new HashMap<>();
        SchedulerListener l = new SchedulerListener() {
            @Override
            public void onFinish(long id, RequestState state, double time) {
                end.put(id, state);
            }
        };
        FixedCost cost = new FixedCost(0.05, 0.02, 0.5, 1e-11);
        MiniSim sim = new MiniSim(cost);
        // Decode GPU: 61 GB. After "a" served request 1 it stays resident (idle); "b" then loads into
        // the 31 GB left, which leaves 1 GB, less than request 2's 2 GB of KV: only evicting "a" makes room.
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models,
                List.of(new InstanceSpec(0, InstanceSpec.Role.PREFILL, 1, 80 * GB), new InstanceSpec(1, InstanceSpec.Role.DECODE, 1, 61 * GB)),
                SchedulerConfig.defaults(), l);
        sim.arrive(new RequestSpec(1, "a", 100, 5, 0, SloTargets.PAPER_DEFAULT), 5);
        sim.arrive(new RequestSpec(2, "b", 2000, 5, 10, SloTargets.PAPER_DEFAULT), 5);
        sim.run(1000);

        assertEquals(RequestState.FINISHED, end.get(1L));
        List<String> onDecoder = new ArrayList<>();
        for (Decision d : sim.log) {
            if (d.instance() == 1 && (d instanceof Decision.EvictModel || d instanceof Decision.SwapIn)) onDecoder.add(d.getClass().getSimpleName());
        }
        assertTrue(onDecoder.contains("EvictModel"), "the scenario needs the idle model evicted: " + onDecoder);
        assertEquals(RequestState.FINISHED, end.get(2L), "request 2 stranded after the eviction; decode-side decisions: " + onDecoder);
    }
}
