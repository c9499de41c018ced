package dev.aegaeon.runtime.hub;

/**
 * A model could not be fetched from the hub. The message says what and why in words a user can
 * act on (set HF_TOKEN, check the repository id, retry); it names the repository and file but
 * never the token or a file's content.
 */
public final class HubException extends Exception {
    /** What went wrong, for callers that react differently (retry a transfer, not a 401). */
    public enum Kind { UNAUTHORIZED, NOT_FOUND, TRANSFER, CHECKSUM, PROTOCOL, STORAGE, CANCELLED }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
