package dev.aegaeon.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Under memory pressure the member that can best afford to wait goes first, not simply the newest. */
class PreemptionOrderTest {
    private static final ModelSpec M = new ModelSpec("m", 1L << 30, 1L << 20);

    private static Req req(long id, double arrival, int tokens) {
        Req r = new Req(new RequestSpec(id, "m", 16, 512, arrival, SloTargets.PAPER_DEFAULT), M);
        r.tokens = tokens;
        return r;
    }

    @Test
    void theMemberWithTheMostSlackIsSwappedFirstAndTheMostUrgentLast() {
        Req ahead = req(1, 0, 200);   // next token due at 0 + 10 + 20.0 = 30.0 s
        Req fresh = req(2, 25, 1);    // due at 25 + 10 + 0.1 = 35.1 s: the most slack
        Req behind = req(3, 5, 10);   // due at 5 + 10 + 1.0 = 16.0 s: the most urgent, yet the newest member
        assertEquals(List.of(fresh, ahead, behind), DecodeRounds.preemptionOrder(List.of(ahead, fresh, behind)));
    }

    @Test
    void onEqualSlackTheNewestMemberGoesFirst() {
        Req a = req(1, 0, 10), b = req(2, 0, 10), c = req(3, 0, 10);
        assertEquals(List.of(c, b, a), DecodeRounds.preemptionOrder(List.of(a, b, c)));
    }
}
