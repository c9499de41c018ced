package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SloLedgerTest {
    private static final Slo SLO = new Slo(10, 1);

    private static RequestSpec req(long id, double arrival, int out) {
        return new RequestSpec(id, "m", 10, out, arrival, SLO);
    }

    @Test
    void deadlineChainRestartsAfterAMiss() {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, 5), 5);
        l.onToken(1, 0, 5.0);   // due 10: met (weight 10)
        l.onToken(1, 1, 11.0);  // due 11: met
        l.onToken(1, 2, 13.0);  // due 12: missed -> next due 14
        l.onToken(1, 3, 14.0);  // due 14: met
        l.onToken(1, 4, 15.5);  // due 15: missed
        // weights 10 + 1 + 1 + 1 + 1 = 14; met 10 + 1 + 1 = 12
        assertEquals(12.0 / 14, l.score(1), 1e-12);
    }

    @Test
    void withoutRestartTheLateTokenWouldDoomTheRest() {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, 4), 4);
        l.onToken(1, 0, 20.0);  // due 10: missed, chain restarts at 20
        l.onToken(1, 1, 21.0);  // due 21: met
        l.onToken(1, 2, 22.0);  // due 22: met
        l.onToken(1, 3, 23.0);  // due 23: met
        assertEquals(3.0 / 13, l.score(1), 1e-12);
    }

    @Test
    void missingTokensCountAsMissedAndAttainmentIsTheMean() {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, 2), 2);
        l.expect(req(2, 0, 3), 3);
        l.onToken(1, 0, 1.0);
        l.onToken(1, 1, 2.0);
        l.onFinish(1, RequestState.FINISHED, 2.0);
        l.onToken(2, 0, 1.0);  // then nothing: tokens 1 and 2 are missed
        SloReport r = l.report();
        assertEquals(1.0, l.score(1), 1e-12);
        assertEquals(10.0 / 12, l.score(2), 1e-12);
        assertEquals((1.0 + 10.0 / 12) / 2, r.attainment(), 1e-12);
        assertEquals(0.5, r.bothSlosShare(), 1e-12);
        assertEquals(1, r.finished());
        assertEquals(1.0, r.ttftP50(), 1e-12);
    }

    @Test
    void percentilesAndBothSlos() {
        SloLedger l = new SloLedger();
        for (int i = 0; i < 100; i++) {
            l.expect(req(i, 0, 2), 2);
            l.onToken(i, 0, i < 98 ? 1.0 : 12.0);
            l.onToken(i, 1, (i < 98 ? 1.0 : 12.0) + 0.5);
        }
        SloReport r = l.report();
        assertEquals(1.0, r.ttftP50(), 1e-12);
        assertEquals(12.0, r.ttftP99(), 1e-12);
        assertEquals(0.98, r.bothSlosShare(), 1e-12);
        assertEquals(0.5, r.tbtP99(), 0.0015);
    }

    @Test
    void outOfOrderTokenIsRejected() {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, 3), 3);
        assertThrows(IllegalStateException.class, () -> l.onToken(1, 1, 1.0));
    }
}
