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
        // The worked example's 12 s round bounded to 9 s: 6 s of quotas left after c0, 2 s each.
        assertArrayEquals(new double[] {2.0, 2.0, 2.0}, Quotas.boundRound(new double[] {3, 3, 3}, D, 3.0, 9.0), 1e-12);
        // A round that fits is left alone.
        double[] q = {3, 3, 3};
        assertArrayEquals(q, Quotas.boundRound(q, D, 3.0, 12.0), 0);
        // Switches alone exceed the bound: every batch still runs one step per turn.
        assertArrayEquals(D, Quotas.boundRound(q, D, 20.0, 10.0), 0);
    }

    @Test
    void rejectsMismatchedInput() {
        assertThrows(IllegalArgumentException.class, () -> Quotas.quotas(new double[] {0.1}, new double[] {0.1, 0.1}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Quotas.quotas(new double[] {0.0}, new double[] {0.1}, 1.0));
    }
}
