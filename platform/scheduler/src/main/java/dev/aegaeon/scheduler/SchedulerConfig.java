package dev.aegaeon.scheduler;

/**
 * Tunables of {@link AegaeonScheduler}.
 *
 * @param maxGroupSize     most requests in one prefill group (the paper: 8)
 * @param maxDecodeBatch   most sequences in one decode step
 * @param qmaxSeconds      cap on one batch's decode quota (the paper: 4 s)
 * @param multiResident    beyond the paper: keep several models in an instance's weight pool and
 *                         switch among them without loading; false = one model at a time
 * @param keepKvResident   beyond the paper: leave a batch's KV in VRAM when its turn ends and
 *                         swap it out only when memory is needed; false = swap out at turn end
 *                         whenever other batches wait (the paper)
 * @param urgencyFactor    colocated mode: a queued prefill group of another model preempts the
 *                         decode round when its TTFT slack falls below this many times its
 *                         estimated cost (switch + prefill)
 * @param ttftBoundedRounds beyond the paper, off by default: a decode round (every quota plus the
 *                         switches) lasts at most the tightest TTFT objective among its requests,
 *                         quotas shrunk in proportion ({@link Quotas#boundRound}); false = the
 *                         paper's quotas, up to QMAX each however many batches share the round.
 *                         It lifts the paper's attainment past capacity but makes every stream
 *                         stall for up to a round there (TBT p99 of seconds), lowering the share
 *                         of requests that meet both SLOs on one GPU (tests/bench/README.md)
 * @param prefillDecodesWhenIdle beyond the paper, off by default: a PREFILL instance whose prefill
 *                         queue is empty when a group finishes keeps that group's requests and
 *                         decodes them itself, and hands them to the decode instances as soon as a
 *                         prefill is queued there again; false = every request is handed off at once
 */
public record SchedulerConfig(int maxGroupSize, int maxDecodeBatch, double qmaxSeconds, boolean multiResident,
                              boolean keepKvResident, double urgencyFactor, boolean ttftBoundedRounds,
                              boolean prefillDecodesWhenIdle) {
    public SchedulerConfig(int maxGroupSize, int maxDecodeBatch, double qmaxSeconds, boolean multiResident,
                           boolean keepKvResident, double urgencyFactor, boolean ttftBoundedRounds) {
        this(maxGroupSize, maxDecodeBatch, qmaxSeconds, multiResident, keepKvResident, urgencyFactor, ttftBoundedRounds, false);
    }

    public SchedulerConfig {
        if (maxGroupSize < 1) throw new IllegalArgumentException("maxGroupSize must be >= 1");
        if (maxDecodeBatch < 1) throw new IllegalArgumentException("maxDecodeBatch must be >= 1");
        if (!(qmaxSeconds > 0)) throw new IllegalArgumentException("qmaxSeconds must be positive");
        if (!(urgencyFactor >= 1)) throw new IllegalArgumentException("urgencyFactor must be >= 1");
    }

    /** Our defaults: the paper's constants plus the beyond-the-paper features on. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(8, 256, Quotas.QMAX_SECONDS, true, true, 2.0, false);
    }

    /** The paper's behaviour: one resident model per instance, KV swapped out at every turn end. */
    public static SchedulerConfig paper() {
        return new SchedulerConfig(8, 256, Quotas.QMAX_SECONDS, false, false, 2.0, false);
    }

    public SchedulerConfig withMultiResident(boolean on) {
        return new SchedulerConfig(maxGroupSize, maxDecodeBatch, qmaxSeconds, on, keepKvResident, urgencyFactor, ttftBoundedRounds, prefillDecodesWhenIdle);
    }

    /** The same with another cap on one batch's decode quota (replays of the e2e runs favour 2 s over the paper's 4 s). */
    public SchedulerConfig withQmaxSeconds(double seconds) {
        return new SchedulerConfig(maxGroupSize, maxDecodeBatch, seconds, multiResident, keepKvResident, urgencyFactor, ttftBoundedRounds, prefillDecodesWhenIdle);
    }

    public SchedulerConfig withKeepKvResident(boolean on) {
        return new SchedulerConfig(maxGroupSize, maxDecodeBatch, qmaxSeconds, multiResident, on, urgencyFactor, ttftBoundedRounds, prefillDecodesWhenIdle);
    }

    public SchedulerConfig withTtftBoundedRounds(boolean on) {
        return new SchedulerConfig(maxGroupSize, maxDecodeBatch, qmaxSeconds, multiResident, keepKvResident, urgencyFactor, on,
                prefillDecodesWhenIdle);
    }

    public SchedulerConfig withPrefillDecodesWhenIdle(boolean on) {
        return new SchedulerConfig(maxGroupSize, maxDecodeBatch, qmaxSeconds, multiResident, keepKvResident, urgencyFactor,
                ttftBoundedRounds, on);
    }
}
