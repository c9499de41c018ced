package dev.aegaeon.functions;

/**
 * A function spec broke a rule. {@link #field()} is the dotted path of the offending field
 * (e.g. {@code slo.ttft}) and {@link #rule()} states what the field must be.
 */
public final class SpecValidationException extends IllegalArgumentException {
    private final String field;
    private final String rule;

    public SpecValidationException(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
        this.rule = rule;
    }

    public String field() {
        return field;
    }

    public String rule() {
        return rule;
    }
}
