package dev.aegaeon.functions;

import java.time.Duration;

/**
 * Scale-to-zero policy. {@code minScale} 0 lets an idle model leave the GPU after
 * {@code idleToWarm} and the host cache after a further {@code idleToCold}; 1 keeps it HOT.
 * Invariant: {@code idleToCold >= idleToWarm}.
 */
public record Scaling(int minScale, Duration idleToWarm, Duration idleToCold) {
    public static final Scaling DEFAULT = new Scaling(0, Duration.ofSeconds(60), Duration.ofMinutes(10));
}
