package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuotasTest {
    private static final double[] D = {0.025, 0.025, 0.025};
    private static final double[] TPOT = {0.1, 0.1, 0.1};

    @Test
    void workedExampleGivesThreeSecondsEach() {
        double[] q = Quotas.quotas(D, TPOT, 3.0, 1.0);
        assertArrayEquals(new double[] {3.0, 3.0, 3.0}, q, 1e-12);
        // 12 s round (3 x 3 s + c0 3 s); each batch emits 3 / 0.025 = 120 tokens = 12 s / TPOT.
        double round = q[0] + q[1] + q[2] + 3.0;
        assertEquals(12.0, round, 1e-12);
        assertEquals(round / TPOT[0], q[0] / D[0], 1e-9);
    }

    @Test
    void alphaFollowsThePaperRule() {
        // n = 4 each: sum 1/n = 0.75; c0 / (min n * QMAX) = 3 / 16.
        assertEquals(0.75 + 3.0 / 16, Quotas.alpha(new double[] {4, 4, 4}, 3.0, 4.0), 1e-12);
        // Light load: the 0.5 floor.
        assertEquals(0.5, Quotas.alpha(new double[] {20, 20}, 0.1, 4.0), 1e-12);
    }

    @Test
    void ruleCapsTheSlowestBatchAtQmax() {
        double[] q = Quotas.quotas(new double[] {0.025, 0.05}, new double[] {0.1, 0.1}, 2.0);
        // alpha = 2 / (2 * 4) + 0.25 + 0.5 = 1.0; the batch with the smallest n (d = 0.05) gets QMAX.
        assertEquals(4.0, q[1], 1e-12);
        assertEquals(2.0, q[0], 1e-12);
    }

    @Test
    void noSwitchingCostMeansOneStepTurns() {
        assertArrayEquals(D, Quotas.quotas(D, TPOT, 0.0), 0);
    }

    @Test
    void boundRoundShrinksQuotasInProportionAndKeepsOneStep() {
        // The worked example (S = 0.75, c0 = 3 s) bounded to 9 s: 6 s of quotas after c0 would be
        // 2 s each, but the shortest quotas that keep TPOT are c0 / (n (1 - S)) = 3 s: they stay.
        assertArrayEquals(new double[] {3.0, 3.0, 3.0}, Quotas.boundRound(new double[] {3, 3, 3}, D, TPOT, 3.0, 9.0), 1e-12);
        // Cheaper switches (c0 = 0.3 s, the paper's quotas at QMAX = 4 s) bounded to 9 s: 2.9 s each.
        assertArrayEquals(new double[] {2.9, 2.9, 2.9}, Quotas.boundRound(new double[] {4, 4, 4}, D, TPOT, 0.3, 9.0), 1e-12);
        // A round that fits is left alone.
        double[] q = {3, 3, 3};
        assertArrayEquals(q, Quotas.boundRound(q, D, TPOT, 3.0, 12.0), 0);
        // Overloaded (S >= 1) and switches alone over the bound: one step per turn.
        double[] slow = {0.04, 0.04, 0.04};
        assertArrayEquals(slow, Quotas.boundRound(q, slow, TPOT, 20.0, 10.0), 0);
    }

    @Test
    void rejectsMismatchedInput() {
        assertThrows(IllegalArgumentException.class, () -> Quotas.quotas(new double[] {0.1}, new double[] {0.1, 0.1}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Quotas.quotas(new double[] {0.0}, new double[] {0.1}, 1.0));
    }
}
