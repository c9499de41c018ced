package dev.aegaeon.platform.invoke;

/** Where the invocation service reports per-invocation measurements; implementations are thread-safe and cheap. */
public interface InvocationMetrics {
    void timeToFirstToken(String function, long nanos);

    void interTokenLatency(String function, long nanos);

    /** One finished invocation's SLO score in [0, 1] (share of tokens that met their deadline). */
    void sloScore(String function, double score);

    /** Platform overhead from arrival to the backend submit. */
    void admissionOverhead(String function, long nanos);

    void finished(String function, String outcome);

    /** A finished invocation's token counts and its time from arrival to the last event. */
    default void completed(String function, int promptTokens, int completionTokens, long e2eNanos) {}

    /** Time from arrival until the backend took the invocation (waiting for a slot included). */
    default void queueTime(String function, long nanos) {}

    /** An invocation of a registered function refused before it ran; {@code reason}: the error's code. */
    default void refused(String function, String reason) {}

    InvocationMetrics NONE = new InvocationMetrics() {
        public void timeToFirstToken(String f, long n) {}
        public void interTokenLatency(String f, long n) {}
        public void sloScore(String f, double s) {}
        public void admissionOverhead(String f, long n) {}
        public void finished(String f, String o) {}
    };
}
