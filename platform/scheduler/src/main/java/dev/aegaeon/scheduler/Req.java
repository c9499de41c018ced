package dev.aegaeon.scheduler;

import java.util.List;

/** The scheduler's mutable view of one request (package-private bookkeeping). */
final class Req {
    final RequestSpec spec;
    final ModelSpec model;
    RequestState state = RequestState.QUEUED;
    /** Tokens emitted so far (the first comes from prefill). */
    int tokens;
    /** Instance holding this request's KV, or -1 when it is in host memory or not yet prefilled. */
    int instance = -1;
    /** Bytes reserved for this request's KV on {@link #instance}. */
    long reservedBytes;
    /** Token positions {@link #reservedBytes} (or {@link #hostBytes}) covers: the prompt, then one more per decode step. */
    int kvTokens;
    /** Bytes of KV held in host memory while swapped out. */
    long hostBytes;
    /** A compute or copy decision that involves this request is outstanding. */
    boolean inFlight;
    /** Cancelled while in flight: finalise when the outstanding decision completes. */
    boolean cancelPending;
    PrefillGroup group;
    DecodeBatch batch;

    Req(RequestSpec spec, ModelSpec model) {
        this.spec = spec;
        this.model = model;
    }

    long id() {
        return spec.id();
    }

    boolean onDevice() {
        return instance >= 0;
    }

    /** Bytes the next decode step adds to this request's reservation (a page when it crosses a page boundary). */
    long stepGrowth() {
        return model.kvBytes(kvTokens + 1L) - model.kvBytes(kvTokens);
    }

    static List<Long> ids(List<Req> reqs) {
        Long[] a = new Long[reqs.size()];
        for (int i = 0; i < a.length; i++) a[i] = reqs.get(i).id();
        return List.of(a);
    }

    /** KV bytes the request occupies after {@code tokens} emitted tokens (prompt + generated). */
    long kvBytes() {
        return model.kvBytes((long) spec.promptTokens() + tokens);
    }
}
