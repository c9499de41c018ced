package dev.aegaeon.functions;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model deployed as a scale-to-zero function. Instances are always valid: the constructor
 * enforces every rule and names the field that breaks one ({@link SpecValidationException}).
 *
 * @param name the function's name, used as the OpenAI {@code model} and in the Funqy response
 *     type {@code <name>.output}: 1-63 of {@code a-z 0-9 . _ -}, starting with a letter or digit
 * @param apiKey if present, callers must send {@code Authorization: Bearer <key>}; held either in the
 *     clear (as a spec file gives it) or as a salted digest ({@link ApiKeys}), the only form the
 *     platform stores
 */
public record FunctionSpec(String name, ModelSource model, Slo slo, Scaling scaling, Limits limits,
        Optional<String> apiKey) {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    static final int MAX_TOKENS_CEILING = 1 << 20;
    /** The longest duration any field accepts: longer ones are mistakes, and would overflow nanosecond arithmetic. */
    public static final java.time.Duration MAX_DURATION = java.time.Duration.ofDays(365);

    public FunctionSpec {
        if (name == null || !NAME.matcher(name).matches())
            throw new SpecValidationException("name", "must be 1-63 characters of a-z, 0-9, '.', '_', '-' starting with a letter or digit");
        if (model == null) throw new SpecValidationException("model", "is required");
        slo = slo == null ? Slo.DEFAULT : slo;
        scaling = scaling == null ? Scaling.DEFAULT : scaling;
        limits = limits == null ? Limits.DEFAULT : limits;
        apiKey = apiKey == null ? Optional.empty() : apiKey;
        validate(model, slo, scaling, limits, apiKey);
    }

    private static void validate(ModelSource model, Slo slo, Scaling scaling, Limits limits, Optional<String> apiKey) {
        switch (model) {
            case ModelSource.HfDirectory hf -> {
                if (hf.path().toString().isBlank()) throw new SpecValidationException("model.path", "must not be blank");
            }
            case ModelSource.Hub h -> {
                // the record's constructor checked the repository id and revision
            }
            case ModelSource.Synthetic s -> {
                if (s.shape().isBlank()) throw new SpecValidationException("model.synthetic.shape", "must not be blank");
                if (s.tokenInterval().isNegative())
                    throw new SpecValidationException("model.synthetic.tokenInterval", "must not be negative");
                atMostMax(s.tokenInterval(), "model.synthetic.tokenInterval");
            }
        }
        positive(slo.ttft(), "slo.ttft");
        positive(slo.tpot(), "slo.tpot");
        if (scaling.minScale() != 0 && scaling.minScale() != 1)
            throw new SpecValidationException("scaling.minScale", "must be 0 or 1");
        positive(scaling.idleToWarm(), "scaling.idleToWarm");
        positive(scaling.idleToCold(), "scaling.idleToCold");
        if (scaling.idleToCold().compareTo(scaling.idleToWarm()) < 0)
            throw new SpecValidationException("scaling.idleToCold", "must be at least scaling.idleToWarm");
        range(limits.maxPromptTokens(), 1, MAX_TOKENS_CEILING, "limits.maxPromptTokens");
        range(limits.maxOutputTokens(), 1, MAX_TOKENS_CEILING, "limits.maxOutputTokens");
        range(limits.maxConcurrent(), 1, 100_000, "limits.maxConcurrent");
        range(limits.maxQueued(), 0, 1_000_000, "limits.maxQueued");
        if (apiKey.isPresent() && (apiKey.get().length() < 8 || apiKey.get().chars().anyMatch(Character::isWhitespace)))
            throw new SpecValidationException("apiKey", "must be at least 8 characters without whitespace");
    }

    private static void positive(java.time.Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) throw new SpecValidationException(field, "must be a positive duration");
        atMostMax(d, field);
    }

    private static void atMostMax(java.time.Duration d, String field) {
        if (d.compareTo(MAX_DURATION) > 0) throw new SpecValidationException(field, "must be at most 365 days");
    }

    private static void range(int value, int min, int max, String field) {
        if (value < min || value > max)
            throw new SpecValidationException(field, "must be between " + min + " and " + max + " (was " + value + ")");
    }

    /** The CloudEvent type of this function's Funqy responses. */
    public String outputEventType() {
        return name + ".output";
    }

    /** Whether {@code key} is accepted: true for any caller when no API key is set. Constant-time compare. */
    public boolean authorizes(String presentedKey) {
        return apiKey.isEmpty() || ApiKeys.matches(apiKey.get(), presentedKey);
    }

    /** This spec with its API key (if any, and not already) replaced by a salted digest: the form to store. */
    public FunctionSpec withHashedApiKey() {
        if (apiKey.isEmpty() || ApiKeys.isHashed(apiKey.get())) return this;
        return new FunctionSpec(name, model, slo, scaling, limits, Optional.of(ApiKeys.hash(apiKey.get())));
    }
}
