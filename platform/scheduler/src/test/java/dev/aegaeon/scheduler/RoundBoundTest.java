package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decode instance with more models than its memory holds: every round loads some of them, so
 * the paper's quotas run to QMAX each and the round to several times the TTFT objective. With
 * {@code ttftBoundedRounds} no batch waits much longer than its TTFT objective between two turns.
 */
class RoundBoundTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT; // TTFT 10 s, TPOT 0.1 s

    /** The longest time between two consecutive decode tokens of any one request over 200 s. */
    private static double longestGap(SchedulerConfig config) {
        List<ModelSpec> models = new ArrayList<>();
        for (int i = 0; i < 8; i++) models.add(new ModelSpec("m" + i, 20 * GB, 1_000));
        // 0.01 s steps against a 0.1 s TPOT: 8 batches need 80% of the instance; 3 models fit in 72 GB.
        FixedCost cost = new FixedCost(0.05, 0.01, 0.3, 1e-12);
        MiniSim sim = new MiniSim(cost);
        Map<Long, Double> last = new HashMap<>();
        double[] gap = {0};
        SchedulerListener tokens = new SchedulerListener() {
            @Override
            public void onToken(long id, int index, double time) {
                Double prev = last.put(id, time);
                if (index >= 2 && prev != null) gap[0] = Math.max(gap[0], time - prev);
            }

            @Override
            public void onFinish(long id, RequestState state, double time) { }
        };
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.PREFILL, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.DECODE, 1, 72 * GB)), config, tokens);
        for (int i = 0; i < 8; i++) sim.arrive(new RequestSpec(i, "m" + i, 100, 100_000, 0.1 * i, SLO), 100_000);
        sim.run(200);
        assertTrue(last.size() == 8 && last.values().stream().allMatch(t -> t > 150), "every request is still decoding at the end: " + last);
        return gap[0];
    }

    @Test
    void theRoundLastsAtMostTheTtftObjective() {
        double gap = longestGap(SchedulerConfig.defaults().withTtftBoundedRounds(true));
        // The bound is on the planned round; a load that is not prefetched in time may add one switch.
        assertTrue(gap <= SLO.ttftSeconds() + 0.3 + 1e-9, "longest wait between turns " + gap + " s");
    }

    @Test
    void thePapersQuotasMakeRoundsOfSeveralQmax() {
        double gap = longestGap(SchedulerConfig.defaults().withTtftBoundedRounds(false));
        assertTrue(gap > 2 * SLO.ttftSeconds(), "without the bound a batch waits " + gap + " s between turns");
    }
}
