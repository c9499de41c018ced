package dev.aegaeon.scheduler;

/**
 * The paper's decode quota formula (Aegaeon, SOSP '25, section on decode scheduling). For the
 * batches of one decode round with step latencies {@code d_i} and per-token objectives
 * {@code TPOT_i}: {@code n_i = TPOT_i / d_i} (steps a batch may run per TPOT), {@code c0} = the
 * round's switching overhead, {@code alpha = max(c0 / (min_k n_k * QMAX) + sum_k 1/n_k, 0.5)},
 * {@code q_i = c0 / (n_i * (alpha - sum_k 1/n_k))}.
 *
 * <p>Why it works: a round lasts {@code T = sum q_i + c0 = c0 * alpha / (alpha - S)} with
 * {@code S = sum 1/n_k}, and batch i emits {@code q_i / d_i} tokens, so it keeps pace with its
 * TPOT exactly when {@code alpha <= 1}. The {@code min n * QMAX} term caps the longest quota at
 * QMAX; the 0.5 floor keeps rounds short when the load is light. {@code S >= 1} means the
 * instance is overloaded: no quota can meet every TPOT.
 */
public final class Quotas {
    /** The paper's cap on one batch's quota, seconds. */
    public static final double QMAX_SECONDS = 4.0;

    private Quotas() {}

    /** {@code alpha} by the paper's rule. */
    public static double alpha(double[] n, double c0, double qmax) {
        double minN = Double.POSITIVE_INFINITY, sumInv = 0;
        for (double v : n) {
            minN = Math.min(minN, v);
            sumInv += 1 / v;
        }
        return Math.max(c0 / (minN * qmax) + sumInv, 0.5);
    }

    /**
     * Quotas in seconds for step latencies {@code d} and objectives {@code tpot}, with a given
     * {@code alpha}. Returns {@code d_i} (one step) for every batch when {@code c0 == 0}: with no
     * switching cost there is nothing to amortise.
     */
    public static double[] quotas(double[] d, double[] tpot, double c0, double alpha) {
        if (d.length != tpot.length || d.length == 0) throw new IllegalArgumentException("need one TPOT per batch, at least one batch");
        double[] n = new double[d.length];
        double sumInv = 0;
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] > 0) || !(tpot[i] > 0)) throw new IllegalArgumentException("step latency and TPOT must be positive");
            n[i] = tpot[i] / d[i];
            sumInv += 1 / n[i];
        }
        double[] q = new double[d.length];
        double headroom = alpha - sumInv;
        for (int i = 0; i < d.length; i++) {
            q[i] = (c0 <= 0 || headroom <= 0) ? d[i] : Math.max(d[i], c0 / (n[i] * headroom));
        }
        return q;
    }

    /**
     * Quotas {@code q} shrunk so that the round they make, {@code sum q + c0}, lasts at most
     * {@code bound} seconds: each scaled by the same factor, none below its one step {@code d_i},
     * and none below the shortest quota that still keeps every TPOT ({@code alpha = 1}, when the
     * round is feasible at all). Returns {@code q} unchanged when the round already fits. Why: between two turns a batch
     * waits the rest of the round, and a request that waits longer than its TTFT objective has
     * missed what slack its deadlines had; with several resident models the switches cost
     * little, so the paper's QMAX-long quotas buy little amortisation for that wait. Where the
     * switches are slow, turns shorter than the alpha = 1 quotas would spend more time switching
     * than the round can spare, so the bound yields there.
     */
    public static double[] boundRound(double[] q, double[] d, double[] tpot, double c0, double bound) {
        if (q.length != d.length || q.length != tpot.length) throw new IllegalArgumentException("need one step latency and TPOT per quota");
        double sum = c0;
        for (double v : q) sum += v;
        if (sum <= bound) return q;
        double sumInv = 0;
        for (int i = 0; i < d.length; i++) sumInv += d[i] / tpot[i];
        double[] shortest = sumInv < 1 ? quotas(d, tpot, c0, 1.0) : d;
        double quotas = sum - c0, scale = Math.max(0, bound - c0) / quotas;
        double[] out = new double[q.length];
        for (int i = 0; i < q.length; i++) out[i] = Math.max(Math.max(d[i], Math.min(q[i], shortest[i])), q[i] * scale);
        return out;
    }

    /** Quotas with {@code alpha} by the paper's rule and {@link #QMAX_SECONDS}. */
    public static double[] quotas(double[] d, double[] tpot, double c0) {
        double[] n = new double[d.length];
        for (int i = 0; i < d.length; i++) n[i] = tpot[i] / d[i];
        return quotas(d, tpot, c0, alpha(n, c0, QMAX_SECONDS));
    }
}
