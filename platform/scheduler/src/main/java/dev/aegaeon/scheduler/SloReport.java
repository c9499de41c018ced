package dev.aegaeon.scheduler;

/**
 * Measures over a set of requests. {@code attainment} is the paper's metric (mean over requests of
 * the share of service time within the per-token deadline chain, see {@link SloLedger}); {@code bothSlosShare} is the
 * standard one (share of requests with TTFT within its SLO and mean TPOT within its SLO, all
 * tokens delivered). TTFT percentiles are infinite when more than that share got no token.
 */
public record SloReport(int requests, int finished, double attainment, double ttftP50, double ttftP99, double tbtP99,
                        double bothSlosShare, long loads, long prefetchLoads, long bytesLoaded) {}
