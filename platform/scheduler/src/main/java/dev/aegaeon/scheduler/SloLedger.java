package dev.aegaeon.scheduler;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * SLO accounting as in the Aegaeon paper. Token k of a request is due at
 * {@code arrival + TTFT + k * TPOT}; when a token misses, the chain restarts from that token's
 * actual time (token k+1 is then due TPOT after it). A request's score is the time-weighted share
 * of its tokens that met their deadlines, each token weighted by its own budget (TTFT for the
 * first, TPOT for the others), and attainment is the mean score over requests. Tokens a request
 * never received (cancelled, rejected, unfinished at the end) count as missed.
 *
 * <p>Also keeps TTFT (exact percentiles), time between tokens (1 ms histogram) and loads.
 */
public final class SloLedger implements SchedulerListener {
    private static final double TBT_BUCKET = 0.001;
    private static final int TBT_BUCKETS = 600_000;

    private final Map<Long, Integer> index = new HashMap<>();
    private double[] arrival = new double[1024], ttft = new double[1024], tpot = new double[1024];
    private double[] nextDue = new double[1024], metWeight = new double[1024];
    private double[] firstToken = new double[1024], lastToken = new double[1024];
    private int[] expected = new int[1024], emitted = new int[1024];
    private boolean[] finished = new boolean[1024];
    private int size;
    private final long[] tbt = new long[TBT_BUCKETS + 1];
    private long loads, prefetchLoads, bytesLoaded;

    /** Registers a request and the number of tokens it should receive (its full output length). */
    public void expect(RequestSpec spec, int outputTokens) {
        if (outputTokens <= 0) throw new IllegalArgumentException("request " + spec.id() + ": outputTokens must be positive");
        if (index.putIfAbsent(spec.id(), size) != null) throw new IllegalArgumentException("request " + spec.id() + " registered twice");
        if (size == arrival.length) grow();
        int i = size++;
        arrival[i] = spec.arrivalSeconds();
        ttft[i] = spec.slo().ttftSeconds();
        tpot[i] = spec.slo().tpotSeconds();
        nextDue[i] = arrival[i] + ttft[i];
        expected[i] = outputTokens;
        firstToken[i] = Double.NaN;
    }

    private void grow() {
        int n = arrival.length * 2;
        arrival = Arrays.copyOf(arrival, n);
        ttft = Arrays.copyOf(ttft, n);
        tpot = Arrays.copyOf(tpot, n);
        nextDue = Arrays.copyOf(nextDue, n);
        metWeight = Arrays.copyOf(metWeight, n);
        firstToken = Arrays.copyOf(firstToken, n);
        lastToken = Arrays.copyOf(lastToken, n);
        expected = Arrays.copyOf(expected, n);
        emitted = Arrays.copyOf(emitted, n);
        finished = Arrays.copyOf(finished, n);
    }

    @Override
    public void onToken(long requestId, int tokenIndex, double time) {
        Integer boxed = index.get(requestId);
        if (boxed == null) return;
        int i = boxed;
        if (tokenIndex != emitted[i]) {
            throw new IllegalStateException("request " + requestId + ": token " + tokenIndex + " arrived, expected " + emitted[i]);
        }
        double weight = tokenIndex == 0 ? ttft[i] : tpot[i];
        if (time <= nextDue[i] + 1e-9) {
            metWeight[i] += weight;
            nextDue[i] += tpot[i];
        } else {
            nextDue[i] = time + tpot[i];
        }
        if (tokenIndex == 0) {
            firstToken[i] = time;
        } else {
            int b = (int) Math.min(TBT_BUCKETS, Math.floor((time - lastToken[i]) / TBT_BUCKET));
            tbt[b]++;
        }
        lastToken[i] = time;
        emitted[i]++;
    }

    @Override
    public void onFinish(long requestId, RequestState state, double time) {
        Integer i = index.get(requestId);
        if (i != null && state == RequestState.FINISHED) finished[i] = true;
    }

    @Override
    public void onLoad(int instance, String model, long bytes, boolean prefetch, double time) {
        loads++;
        if (prefetch) prefetchLoads++;
        bytesLoaded += bytes;
    }

    /** Tokens received so far by the request (for tests). */
    public int emitted(long requestId) {
        return emitted[index.get(requestId)];
    }

    /** The request's time-weighted score in [0, 1]; missing tokens count as missed. */
    public double score(long requestId) {
        return score(index.get(requestId));
    }

    private double score(int i) {
        double total = ttft[i] + (expected[i] - 1) * tpot[i];
        return metWeight[i] / total;
    }

    public SloReport report() {
        double sum = 0;
        int done = 0, both = 0;
        double[] ttfts = new double[size];
        for (int i = 0; i < size; i++) {
            sum += score(i);
            if (finished[i]) done++;
            ttfts[i] = Double.isNaN(firstToken[i]) ? Double.POSITIVE_INFINITY : firstToken[i] - arrival[i];
            boolean full = emitted[i] >= expected[i];
            boolean ttftOk = ttfts[i] <= ttft[i];
            boolean tpotOk = emitted[i] <= 1 || (lastToken[i] - firstToken[i]) / (emitted[i] - 1) <= tpot[i];
            if (full && ttftOk && tpotOk) both++;
        }
        Arrays.sort(ttfts);
        return new SloReport(size, done, size == 0 ? Double.NaN : sum / size, percentile(ttfts, 0.50), percentile(ttfts, 0.99),
                tbtPercentile(0.99), size == 0 ? Double.NaN : (double) both / size, loads, prefetchLoads, bytesLoaded);
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int k = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
    }

    private double tbtPercentile(double p) {
        long total = 0;
        for (long c : tbt) total += c;
        if (total == 0) return Double.NaN;
        long target = (long) Math.ceil(p * total), seen = 0;
        for (int b = 0; b <= TBT_BUCKETS; b++) {
            seen += tbt[b];
            if (seen >= target) return b == TBT_BUCKETS ? Double.POSITIVE_INFINITY : (b + 1) * TBT_BUCKET;
        }
        return Double.POSITIVE_INFINITY;
    }
}
