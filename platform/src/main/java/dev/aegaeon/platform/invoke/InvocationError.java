package dev.aegaeon.platform.invoke;

import java.time.Duration;
import java.util.Optional;

/**
 * Why an invocation was refused or failed, in the terms every front door needs: an HTTP status,
 * and OpenAI's error object fields ({@code message}, {@code type}, {@code param}, {@code code}).
 * {@code retryAfter} is set for load shedding (HTTP {@code Retry-After}).
 */
public record InvocationError(int status, String type, String code, String param, String message,
        Optional<Duration> retryAfter) {

    public static InvocationError invalid(String param, String code, String message) {
        return new InvocationError(400, "invalid_request_error", code, param, message, Optional.empty());
    }

    /**
     * No function of that name, or one the caller's key does not open: OpenAI's one answer for both
     * ("does not exist or you do not have access to it"), so a caller cannot learn which names exist.
     */
    public static InvocationError unknownModel(String model) {
        return new InvocationError(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist or you do not have access to it", Optional.empty());
    }

    /** A keyed function called without its key: to the caller exactly {@link #unknownModel}. */
    public static InvocationError unauthorized(String model) {
        return unknownModel(model);
    }

    public static InvocationError overloaded(String message, Duration retryAfter) {
        return new InvocationError(429, "requests", "rate_limit_exceeded", null, message, Optional.of(retryAfter));
    }

    public static InvocationError timeout(Duration deadline) {
        return new InvocationError(504, "timeout", "deadline_exceeded", null,
                "The invocation did not finish within its deadline of " + deadline.toMillis() + " ms", Optional.empty());
    }

    public static InvocationError unavailable(String message) {
        return new InvocationError(503, "server_error", "unavailable", null, message, Optional.empty());
    }

    public static InvocationError cancelled() {
        return new InvocationError(503, "server_error", "cancelled",  null,
                "The invocation was cancelled (its function was removed or the server is shutting down).", Optional.empty());
    }

    public static InvocationError internal(String message) {
        return new InvocationError(500, "server_error", null, null, message, Optional.empty());
    }
}
