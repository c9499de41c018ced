package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.List;

/** The decoding requests of one model on one instance: one entry of the weighted round-robin. */
final class DecodeBatch {
    final String model;
    final ModelSpec spec;
    /** The instance whose round this batch belongs to. */
    final int instance;
    /** Requests past prefill, whether their KV is on the device, in host memory or in flight. */
    final List<Req> members = new ArrayList<>();
    /** Colocated mode: queued prefill groups of this model on the instance. */
    int queuedGroups;
    /** Sum over members of prompt + generated tokens. */
    long contextTokens;
    /** Tightest TPOT among members (seconds). */
    double tpot = Double.POSITIVE_INFINITY;
    /** Tightest TTFT objective among members (seconds). */
    double ttft = Double.POSITIVE_INFINITY;

    DecodeBatch(ModelSpec spec, int instance) {
        this.model = spec.name();
        this.spec = spec;
        this.instance = instance;
    }

    void add(Req r) {
        members.add(r);
        r.batch = this;
        contextTokens += r.spec.promptTokens() + r.tokens;
        tpot = Math.min(tpot, r.spec.slo().tpotSeconds());
        ttft = Math.min(ttft, r.spec.slo().ttftSeconds());
    }

    void remove(Req r) {
        if (members.remove(r)) contextTokens -= r.spec.promptTokens() + r.tokens;
        r.batch = null;
    }

    boolean idle() {
        return members.isEmpty() && queuedGroups == 0;
    }
}
