package dev.aegaeon.worker;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloLedger;

/**
 * One model's SLO accounting: the scheduler's {@link SloLedger} for its live requests. A ledger
 * keeps every request it has seen, so a long-running pool starts a fresh one whenever the model
 * has no live request and the current one has grown; finished requests' scores are already summed
 * in {@link ModelRuntime}. Touched only on the scheduler loop's thread.
 */
final class ModelLedger {
    private static final int RENEW_AFTER = 4096;

    private SloLedger ledger = new SloLedger();
    private int live;
    private int seen;

    SloLedger current() { return ledger; }

    void expect(RequestSpec spec) {
        ledger.expect(spec, spec.maxOutputTokens());
        live++;
        seen++;
    }

    /** The request's score as of {@code now}; it leaves the ledger's live set. */
    double end(long requestId, double now) {
        double score = ledger.score(requestId, now);
        if (--live == 0 && seen >= RENEW_AFTER) {
            ledger = new SloLedger();
            seen = 0;
        }
        return score;
    }
}
