package dev.aegaeon.platform.engine;

/** Failures of an {@link InferenceBackend}; the subtype says how the platform must answer. */
public sealed class BackendException extends Exception {
    protected BackendException(String message) {
        super(message);
    }

    protected BackendException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The function is not registered with the backend (HTTP 404 model_not_found). */
    public static final class UnknownFunction extends BackendException {
        public UnknownFunction(String function) {
            super("The model '" + function + "' does not exist or you do not have access to it");
        }
    }

    /** The request cannot be served as asked (HTTP 400 invalid_request_error). */
    public static final class InvalidRequest extends BackendException {
        private final String param;

        public InvalidRequest(String message) {
            this(null, message);
        }

        /** {@code param}: the request parameter at fault, as OpenAI's error names it (null if none). */
        public InvalidRequest(String param, String message) {
            super(message);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }

    /** The backend cannot serve now: shutting down, or the model failed to load (HTTP 503). */
    public static final class Unavailable extends BackendException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
