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

    InvocationMetrics NONE = new InvocationMetrics() {
        public void timeToFirstToken(String f, long n) {}
        public void interTokenLatency(String f, long n) {}
        public void sloScore(String f, double s) {}
        public void admissionOverhead(String f, long n) {}
        public void finished(String f, String o) {}
    };
}
