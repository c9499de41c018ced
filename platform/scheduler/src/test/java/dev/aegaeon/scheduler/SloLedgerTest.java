package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SloLedgerTest {
    private static RequestSpec req(long id, double arrival, int out, SloTargets slo) {
        return new RequestSpec(id, "m", 10, out, arrival, slo);
    }

    private static SloLedger ledgerWith(SloTargets slo, int out, double... tokenTimes) {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, out, slo), out);
        for (int k = 0; k < tokenTimes.length; k++) l.onToken(1, k, tokenTimes[k]);
        if (tokenTimes.length == out) l.onFinish(1, RequestState.FINISHED, tokenTimes[tokenTimes.length - 1]);
        return l;
    }

    @Test
    void artifactWorkedExample() {
        // TTFT 3, TPOT 2, tokens at 3, 6, 7, 8: good intervals (0,3) and (6,8) of 8 s.
        assertEquals(5.0 / 8, ledgerWith(new SloTargets(3, 2), 4, 3, 6, 7, 8).score(1, 8), 1e-12);
    }

    @Test
    void allOnTimeScoresOne() {
        assertEquals(1.0, ledgerWith(new SloTargets(10, 1), 3, 2, 3, 4).score(1, 4), 1e-12);
    }

    @Test
    void lateFirstTokenCostsTheWait() {
        // Missed at 20 (due 10): the chain re-anchors at 20; the rest is on time. Good = 2 of 22 s.
        assertEquals(2.0 / 22, ledgerWith(new SloTargets(10, 1), 3, 20, 21, 22).score(1, 22), 1e-12);
    }

    @Test
    void longGapMidStreamIsBadTime() {
        // Good up to the last met deadline (11), bad from 11 to 30, then good 30..31: 12 of 31 s.
        assertEquals(12.0 / 31, ledgerWith(new SloTargets(10, 1), 4, 1, 2, 30, 31).score(1, 31), 1e-12);
    }

    @Test
    void unfinishedRequestsCountTheirWaitAndUnservedScoreZero() {
        SloLedger l = new SloLedger();
        SloTargets slo = new SloTargets(10, 1);
        l.expect(req(1, 0, 3, slo), 3);
        l.expect(req(2, 0, 3, slo), 3);
        l.onToken(1, 0, 1.0);
        // Request 1: good up to its met deadline 10, then waiting until 50: 10 / 50.
        assertEquals(0.2, l.score(1, 50), 1e-12);
        assertEquals(0.0, l.score(2, 50), 1e-12);
        assertEquals(0.1, l.report(50).attainment(), 1e-12);
    }

    @Test
    void percentilesAndBothSlos() {
        SloLedger l = new SloLedger();
        SloTargets slo = new SloTargets(10, 1);
        for (int i = 0; i < 100; i++) {
            l.expect(req(i, 0, 2, slo), 2);
            double first = i < 98 ? 1.0 : 12.0;
            l.onToken(i, 0, first);
            l.onToken(i, 1, first + 0.5);
            l.onFinish(i, RequestState.FINISHED, first + 0.5);
        }
        SloReport r = l.report(100);
        assertEquals(1.0, r.ttftP50(), 1e-12);
        assertEquals(12.0, r.ttftP99(), 1e-12);
        assertEquals(0.98, r.bothSlosShare(), 1e-12);
        assertEquals(0.5, r.tbtP99(), 0.0015);
        assertEquals(100, r.finished());
    }

    @Test
    void outOfOrderTokenIsRejected() {
        SloLedger l = new SloLedger();
        l.expect(req(1, 0, 3, SloTargets.PAPER_DEFAULT), 3);
        assertThrows(IllegalStateException.class, () -> l.onToken(1, 1, 1.0));
    }
}
