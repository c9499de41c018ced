package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.List;

/** Requests of one model prefilled together; joinable until it starts. */
final class PrefillGroup {
    final long id;
    final String model;
    final List<Req> members = new ArrayList<>(8);
    boolean started;
    /** Estimated seconds this group adds to its instance's queue (for least-loaded placement). */
    double estimatedSeconds;

    PrefillGroup(long id, String model) {
        this.id = id;
        this.model = model;
    }

    double oldestArrival() {
        double t = Double.POSITIVE_INFINITY;
        for (Req r : members) t = Math.min(t, r.spec.arrivalSeconds());
        return t;
    }

    double tightestTtft() {
        double t = Double.POSITIVE_INFINITY;
        for (Req r : members) t = Math.min(t, r.spec.arrivalSeconds() + r.spec.slo().ttftSeconds());
        return t;
    }

    long tokens() {
        long t = 0;
        for (Req r : members) t += r.spec.promptTokens();
        return t;
    }

    long tokensSquared() {
        long t = 0;
        for (Req r : members) t += (long) r.spec.promptTokens() * r.spec.promptTokens();
        return t;
    }
}
