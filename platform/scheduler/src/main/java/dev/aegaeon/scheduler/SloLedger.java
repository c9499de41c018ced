package dev.aegaeon.scheduler;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * SLO accounting as the Aegaeon paper's artifact computes it. A request's deadlines form a chain
 * anchored at its arrival: the k-th token (k = 0 first) is due {@code TTFT + k * TPOT} after the
 * anchor. When a token misses its deadline the chain re-anchors at that token's actual time (the
 * offsets keep counting: the next token is due {@code TTFT + (k+1) * TPOT} after it). The time
 * from a chain's anchor to the deadline of its last met token is "good"; the last chain is good up
 * to the request's last token (at most to its next deadline). A request's score is good time over
 * service time (arrival to last token), i.e. the time-weighted share within the SLOs; attainment is
 * the mean over requests. Worked example (artifact): arrival 0, tokens at 3, 6, 7, 8, TTFT 3,
 * TPOT 2: good (0,3) and (6,8), score 5/8. A request that never got a token scores 0; one still
 * unfinished when the report is taken is scored as if its next token came at the report time.
 *
 * <p>Also keeps TTFT (exact percentiles), time between tokens (1 ms histogram) and loads.
 */
public final class SloLedger implements SchedulerListener {
    private static final double TBT_BUCKET = 0.001;
    private static final int TBT_BUCKETS = 600_000;

    private final Map<Long, Integer> index = new HashMap<>();
    private double[] arrival = new double[1024], ttft = new double[1024], tpot = new double[1024];
    private double[] chainStart = new double[1024], offset = new double[1024], chainGood = new double[1024], banked = new double[1024];
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
        chainStart[i] = arrival[i];
        offset[i] = ttft[i];
        expected[i] = outputTokens;
        firstToken[i] = Double.NaN;
    }

    private void grow() {
        int n = arrival.length * 2;
        arrival = Arrays.copyOf(arrival, n);
        ttft = Arrays.copyOf(ttft, n);
        tpot = Arrays.copyOf(tpot, n);
        chainStart = Arrays.copyOf(chainStart, n);
        offset = Arrays.copyOf(offset, n);
        chainGood = Arrays.copyOf(chainGood, n);
        banked = Arrays.copyOf(banked, n);
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
        if (time - chainStart[i] <= offset[i] + 1e-9) {
            chainGood[i] = offset[i];
        } else {
            banked[i] += chainGood[i];
            chainStart[i] = time;
            chainGood[i] = 0;
        }
        offset[i] += tpot[i];
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

    /** The request's score in [0, 1] as of {@code now} (used only if it is unfinished). */
    public double score(long requestId, double now) {
        return score(index.get(requestId), now);
    }

    private double score(int i, double now) {
        if (emitted[i] == 0) return 0;
        double bank = banked[i], start = chainStart[i], good = chainGood[i], off = offset[i], end = lastToken[i];
        if (!finished[i] && emitted[i] < expected[i] && now > end) {
            // Unfinished: score as if the next token came now, so the wait counts.
            if (now - start > off + 1e-9) {
                bank += good;
                start = now;
            }
            off += tpot[i];
            end = now;
        }
        double total = end - arrival[i];
        if (total <= 0) return 1;
        return Math.max(0, Math.min(1, (bank + Math.min(off, end - start)) / total));
    }

    /** Measures as of {@code now}: unfinished requests count their wait until then. */
    public SloReport report(double now) {
        double sum = 0;
        int done = 0, both = 0;
        double[] ttfts = new double[size];
        for (int i = 0; i < size; i++) {
            sum += score(i, now);
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
