package dev.aegaeon.functions;

/**
 * Where a function's model lives, from cheapest to most expensive to keep. Traffic moves a model
 * up; idle time moves it down (HOT -> WARM after {@link Scaling#idleToWarm()}, WARM -> COLD after
 * {@link Scaling#idleToCold()}); {@code minScale = 1} never lets it drop below HOT.
 */
public enum FunctionState {
    /** The model's files are being fetched from a hub; it serves nothing yet (calls answer 503). */
    DOWNLOADING,
    /** The model could not be fetched or loaded; calls answer 503 with the reason, kept as the function's last error. */
    FAILED,
    /** Weights only on disk. */
    COLD,
    /** Weights in the host-memory model cache. */
    WARM,
    /** Weights on a GPU (or the CPU backend's working memory), no running sequence. */
    HOT,
    /** HOT with at least one running sequence. */
    ACTIVE
}
