package dev.aegaeon.platform.invoke;

import dev.aegaeon.functions.Slo;

/**
 * The paper's per-request SLO score: token k is due at {@code arrival + ttft + k * tpot}; when a
 * token is late the chain restarts from that token's actual time (later tokens are judged against
 * {@code actual + tpot}, not punished for one stall twice). Score = share of tokens on time.
 * Not thread-safe: fed by one invocation's serial callbacks.
 */
final class SloClock {
    private final long tpotNanos;
    private long nextDeadline;
    private int tokens;
    private int onTime;

    SloClock(Slo slo, long arrivalNanos) {
        this.tpotNanos = slo.tpot().toNanos();
        this.nextDeadline = arrivalNanos + slo.ttft().toNanos();
    }

    void token(long nowNanos) {
        tokens++;
        if (nowNanos <= nextDeadline) {
            onTime++;
            nextDeadline += tpotNanos;
        } else {
            nextDeadline = nowNanos + tpotNanos;
        }
    }

    int tokens() {
        return tokens;
    }

    double score() {
        return tokens == 0 ? 0.0 : (double) onTime / tokens;
    }
}
