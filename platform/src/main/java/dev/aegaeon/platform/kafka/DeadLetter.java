package dev.aegaeon.platform.kafka;

/**
 * The failure a record is nacked with. The connector's dead-letter-queue strategy writes its
 * message as {@code dead-letter-reason} and its cause's message as {@code dead-letter-cause}, so
 * the reason is one of the fixed words below and the cause says what was wrong with the record
 * (never a secret, never advice meant for HTTP clients).
 */
final class DeadLetter extends RuntimeException {
    /** Not an invocation: not JSON, not an object, no model, neither prompt nor messages. */
    static final String MALFORMED = "malformed-invocation";
    /** CloudEvents headers of another spec version or event type. */
    static final String FOREIGN_CLOUD_EVENT = "foreign-cloud-event";
    /** REPLY_TOPIC / REPLY_PARTITION name somewhere an answer cannot or may not go. */
    static final String UNANSWERABLE = "unanswerable-reply-route";
    /** The answer was computed but the broker did not take it. */
    static final String NOT_ANSWERED = "result-not-produced";

    /** A fault of this node while handling the record (logged here with its stack trace). */
    static final String INTERNAL = "internal-error";

    DeadLetter(String reason, String cause) {
        super(reason, new Cause(cause), false, false);
    }

    private static final class Cause extends RuntimeException {
        Cause(String message) {
            super(message, null, false, false);
        }
    }
}
