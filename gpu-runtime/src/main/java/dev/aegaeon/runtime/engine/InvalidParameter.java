package dev.aegaeon.runtime.engine;

/** A request parameter that cannot be served as given; {@link #param()} names it as OpenAI's error does. */
public final class InvalidParameter extends IllegalArgumentException {
    private final String param;

    public InvalidParameter(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() { return param; }
}
