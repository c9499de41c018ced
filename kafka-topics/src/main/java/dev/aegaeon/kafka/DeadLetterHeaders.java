package dev.aegaeon.kafka;

/**
 * Headers on a record in {@link Topics#INVOCATIONS_DLQ}: why it was rejected and where it came
 * from, so an operator can fix and replay it. Names follow SmallRye's dead-letter-queue strategy.
 */
public final class DeadLetterHeaders {
    private DeadLetterHeaders() {}

    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
}
