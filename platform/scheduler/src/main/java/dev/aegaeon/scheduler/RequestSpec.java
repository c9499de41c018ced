package dev.aegaeon.scheduler;

/**
 * One invocation as the scheduler sees it. {@code maxOutputTokens} is a cap: the worker may end a
 * request earlier (end of sequence), which it reports in a completion event.
 */
public record RequestSpec(long id, String model, int promptTokens, int maxOutputTokens, double arrivalSeconds, SloTargets slo) {
    public RequestSpec {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("request " + id + ": model must not be blank");
        if (promptTokens <= 0) throw new IllegalArgumentException("request " + id + ": promptTokens must be positive");
        if (maxOutputTokens <= 0) throw new IllegalArgumentException("request " + id + ": maxOutputTokens must be positive");
        if (!Double.isFinite(arrivalSeconds)) throw new IllegalArgumentException("request " + id + ": arrival must be finite");
        if (slo == null) throw new IllegalArgumentException("request " + id + ": slo must not be null");
    }
}
