package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DistServe latency model (DistServe, appendix A), as the Aegaeon artifact's simulator uses it:
 * prefill {@code T = C1*(4*t*h^2 + 2*t*h*m) + C2*(3*h*t2/b) + C3}, one decode step
 * {@code T = C4*(4*h^2 + 2*h*m) + C5*(3*h*t)}, with h the hidden size, m the FFN size, t the
 * tokens in the batch (prefill) or total context (decode), t2 the sum of squared prompt lengths
 * and b the attention block size. Per-layer terms are multiplied by the layer count so that
 * coefficients fitted on one model transfer to another of the same GPU.
 *
 * <p>One addition, {@code C6*B*(4*h^2 + 2*h*m)} in the decode step (B = batch size): the vLLM
 * profiles grow with batch size at fixed context (e.g. Qwen2.5-7B on H100: 9.7 ms at batch 1 and
 * 23.2 ms at batch 200 with 16-token contexts), which the two-term form cannot express.
 *
 * <p>Load time = weight bytes / (load bandwidth x GPUs of the instance); swap time = bytes / swap
 * bandwidth.
 */
public final class DistServeCostModel implements CostModel {
    public static final int BLOCK_SIZE = 16;

    /** Architecture numbers the form needs. */
    public record Shape(int layers, int hidden, int ffn) {
        public Shape {
            if (layers <= 0 || hidden <= 0 || ffn <= 0) throw new IllegalArgumentException("shape dimensions must be positive");
        }

        double dense() {
            return layers * (4.0 * hidden * hidden + 2.0 * hidden * ffn);
        }
    }

    /** Fitted constants (seconds per unit of each feature). */
    public record Coefficients(double c1, double c2, double c3, double c4, double c5, double c6) {
        /** The same model split over {@code tp} GPUs with the given communication overhead factor. */
        public Coefficients tensorParallel(int tp, double overhead) {
            double f = overhead / tp;
            return new Coefficients(c1 * f, c2 * f, c3, c4 * f, c5 * f, c6 * f);
        }
    }

    /** One profiled step: {@code batch} prompts of {@code inputLen} tokens; times in seconds. */
    public record ProfilePoint(int inputLen, int batch, double prefillSeconds, double decodeSeconds) {}

    private record Entry(Shape shape, Coefficients k, int gpus) {}

    private final Map<String, Entry> entries = new HashMap<>();
    private final double loadBytesPerSecond;
    private final double swapBytesPerSecond;

    public DistServeCostModel(double loadBytesPerSecond, double swapBytesPerSecond) {
        if (!(loadBytesPerSecond > 0) || !(swapBytesPerSecond > 0)) throw new IllegalArgumentException("bandwidths must be positive");
        this.loadBytesPerSecond = loadBytesPerSecond;
        this.swapBytesPerSecond = swapBytesPerSecond;
    }

    public DistServeCostModel put(String model, Shape shape, Coefficients k, int gpus) {
        entries.put(model, new Entry(shape, k, gpus));
        return this;
    }

    public Coefficients coefficients(String model) {
        return entry(model).k;
    }

    private Entry entry(String model) {
        Entry e = entries.get(model);
        if (e == null) throw new IllegalArgumentException("no cost coefficients for model " + model);
        return e;
    }

    /**
     * Fits C1..C6 by non-negative least squares. Prefill points whose batch exceeds
     * {@code maxPrefillTokens} are skipped: the vLLM profiles flatten there (a batched-token cap),
     * so they do not measure the whole prefill.
     */
    public static Coefficients fit(List<Shape> shapes, List<List<ProfilePoint>> profiles, int maxPrefillTokens) {
        List<double[]> px = new ArrayList<>(), dx = new ArrayList<>();
        List<Double> py = new ArrayList<>(), dy = new ArrayList<>();
        for (int s = 0; s < shapes.size(); s++) {
            Shape sh = shapes.get(s);
            for (ProfilePoint p : profiles.get(s)) {
                double t = (double) p.batch() * p.inputLen();
                double t2 = (double) p.batch() * p.inputLen() * p.inputLen();
                if (t <= maxPrefillTokens && p.prefillSeconds() > 0) {
                    px.add(prefillFeatures(sh, t, t2));
                    py.add(p.prefillSeconds());
                }
                if (p.decodeSeconds() > 0) {
                    dx.add(decodeFeatures(sh, p.batch(), t));
                    dy.add(p.decodeSeconds());
                }
            }
        }
        if (px.size() < 3 || dx.size() < 3) throw new IllegalArgumentException("need at least 3 prefill and 3 decode points to fit");
        double[] pc = LeastSquares.fitNonNegative(px.toArray(double[][]::new), py.stream().mapToDouble(Double::doubleValue).toArray());
        double[] dc = LeastSquares.fitNonNegative(dx.toArray(double[][]::new), dy.stream().mapToDouble(Double::doubleValue).toArray());
        return new Coefficients(pc[0], pc[1], pc[2], dc[0], dc[1], dc[2]);
    }

    static double[] prefillFeatures(Shape s, double t, double t2) {
        return new double[] {t * s.dense(), s.layers * 3.0 * s.hidden * t2 / BLOCK_SIZE, 1.0};
    }

    static double[] decodeFeatures(Shape s, double batch, double context) {
        return new double[] {s.dense(), s.layers * 3.0 * s.hidden * context, batch * s.dense()};
    }

    /** Prefill seconds from a shape and coefficients (exposed for fit-quality reports). */
    public static double prefill(Shape s, Coefficients k, double t, double t2) {
        double[] f = prefillFeatures(s, t, t2);
        return k.c1 * f[0] + k.c2 * f[1] + k.c3 * f[2];
    }

    public static double decode(Shape s, Coefficients k, double batch, double context) {
        double[] f = decodeFeatures(s, batch, context);
        return k.c4 * f[0] + k.c5 * f[1] + k.c6 * f[2];
    }

    @Override
    public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) {
        Entry e = entry(model);
        return prefill(e.shape, e.k, tokens, tokensSquared);
    }

    @Override
    public double decodeStepSeconds(String model, int batchSize, long contextTokens) {
        Entry e = entry(model);
        return decode(e.shape, e.k, batchSize, contextTokens);
    }

    @Override
    public double loadSeconds(String model, long bytes) {
        return bytes / (loadBytesPerSecond * entry(model).gpus);
    }

    @Override
    public double swapSeconds(long bytes) {
        return bytes / swapBytesPerSecond;
    }
}
