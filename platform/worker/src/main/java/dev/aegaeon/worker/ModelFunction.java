package dev.aegaeon.worker;

import dev.aegaeon.scheduler.SloTargets;
import java.time.Duration;
import java.util.Objects;

/**
 * A model registered with the {@link ModelPool}.
 *
 * @param name       unique within the pool; the scheduler's model name
 * @param source     where the weights come from
 * @param slo        per-request latency objectives (TTFT, TPOT) the scheduler plans with
 * @param minScale   1 keeps the model HOT (loaded at registration, never decays); 0 lets it decay
 * @param idleToWarm idle time after which a HOT model leaves the device (stays in the host cache)
 * @param idleToCold further idle time after which a WARM model leaves the host cache
 */
public record ModelFunction(String name, WeightOrigin source, SloTargets slo, int minScale, Duration idleToWarm, Duration idleToCold) {
    public ModelFunction {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(slo, "slo");
        if (minScale != 0 && minScale != 1) throw new IllegalArgumentException("minScale must be 0 or 1, got " + minScale);
        if (idleToWarm == null || idleToWarm.isNegative() || idleToWarm.isZero()) throw new IllegalArgumentException("idleToWarm must be positive");
        if (idleToCold == null || idleToCold.compareTo(idleToWarm) < 0) throw new IllegalArgumentException("idleToCold must be at least idleToWarm");
    }

    /** Scale-to-zero after 60 s / 10 min, the paper's SLO. */
    public static ModelFunction of(String name, WeightOrigin source) {
        return new ModelFunction(name, source, SloTargets.PAPER_DEFAULT, 0, Duration.ofSeconds(60), Duration.ofMinutes(10));
    }
}
