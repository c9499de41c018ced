package dev.aegaeon.sim;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic workloads. Arrivals are Poisson per model. Prompt and output lengths are
 * lognormal (sigma 1.0, heavy-tailed) with ShareGPT's means as reported by the vLLM paper, 161
 * prompt and 338 output tokens, clipped to [4, 4096] and [1, 2048]; the location is solved so the
 * clipped means match.
 */
public final class WorkloadGenerator {
    public static final double PROMPT_MEAN = 161, OUTPUT_MEAN = 338, SIGMA = 1.0;
    public static final int PROMPT_MIN = 4, PROMPT_MAX = 4096, OUTPUT_MIN = 1, OUTPUT_MAX = 2048;
    /** Alibaba's trace: 94.1% of models receive 1.35% of requests. */
    public static final double COLD_MODEL_SHARE = 0.941, COLD_REQUEST_SHARE = 0.0135;

    private static final double PROMPT_MU = solveMu(PROMPT_MEAN, PROMPT_MIN, PROMPT_MAX);
    private static final double OUTPUT_MU = solveMu(OUTPUT_MEAN, OUTPUT_MIN, OUTPUT_MAX);

    private WorkloadGenerator() {}

    /** Poisson arrivals for each model at its rate (req/s) over {@code duration} seconds. */
    public static Trace poisson(Map<String, CatalogModel> models, Map<String, Double> ratePerModel, double duration, SloTargets slo, long seed) {
        if (!(duration > 0)) throw new IllegalArgumentException("duration must be positive");
        SplittableRandom root = new SplittableRandom(seed);
        record Pending(double t, String model, int prompt, int output) {}
        List<Pending> all = new ArrayList<>();
        for (String model : models.keySet().stream().sorted().toList()) {
            double rate = ratePerModel.getOrDefault(model, 0.0);
            SplittableRandom rnd = root.split();
            if (rate <= 0) continue;
            double t = exp(rnd, rate);
            while (t < duration) {
                all.add(new Pending(t, model, promptLength(rnd), outputLength(rnd)));
                t += exp(rnd, rate);
            }
        }
        all.sort((a, b) -> Double.compare(a.t, b.t));
        List<RequestSpec> reqs = new ArrayList<>(all.size());
        int[] out = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Pending p = all.get(i);
            reqs.add(new RequestSpec(i, p.model, p.prompt, p.output, p.t, slo));
            out[i] = p.output;
        }
        return new Trace(reqs, out, models, duration);
    }

    /** {@code count} models of one architecture, named arch-0..arch-(count-1). */
    public static Map<String, CatalogModel> replicas(CatalogModel arch, int count) {
        Map<String, CatalogModel> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) m.put(arch.arch() + "-" + i, arch);
        return m;
    }

    /** Round-robin over architectures: model i has architecture i mod k. */
    public static Map<String, CatalogModel> mix(List<CatalogModel> archs, int count) {
        Map<String, CatalogModel> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            CatalogModel a = archs.get(i % archs.size());
            m.put(String.format("%s-%03d", a.arch(), i), a);
        }
        return m;
    }

    /**
     * Market popularity: Zipf weights over {@code count} models with the exponent solved so that
     * the least popular 94.1% of models receive 1.35% of requests; returns rates summing to
     * {@code totalRate}, in popularity order.
     */
    public static double[] marketRates(int count, double totalRate) {
        int hot = Math.max(1, (int) Math.round(count * (1 - COLD_MODEL_SHARE)));
        double lo = 0, hi = 10;
        for (int it = 0; it < 100; it++) {
            double s = (lo + hi) / 2;
            if (hotShare(count, hot, s) < 1 - COLD_REQUEST_SHARE) lo = s;
            else hi = s;
        }
        double s = (lo + hi) / 2, z = 0;
        double[] w = new double[count];
        for (int i = 0; i < count; i++) z += w[i] = Math.pow(i + 1, -s);
        for (int i = 0; i < count; i++) w[i] = w[i] / z * totalRate;
        return w;
    }

    private static double hotShare(int count, int hot, double s) {
        double all = 0, top = 0;
        for (int i = 0; i < count; i++) {
            double w = Math.pow(i + 1, -s);
            all += w;
            if (i < hot) top += w;
        }
        return top / all;
    }

    /**
     * A market of {@code count} models with sizes from 1.8B to 72B, architectures assigned by a
     * seeded shuffle (so popularity and size are independent); 72B models run on 4 GPUs.
     */
    public static Map<String, CatalogModel> market(int count, long seed) {
        List<CatalogModel> archs = List.of(CatalogModel.QWEN1_5_1_8B, CatalogModel.QWEN2_5_3B, CatalogModel.QWEN2_5_7B,
                CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B, CatalogModel.QWEN1_5_14B, CatalogModel.QWEN2_5_32B, CatalogModel.QWEN2_5_72B);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Map<String, CatalogModel> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            CatalogModel a = archs.get(rnd.nextInt(archs.size()));
            m.put(String.format("m%03d-%s", i, a.arch()), a);
        }
        return m;
    }

    static int promptLength(SplittableRandom rnd) {
        return (int) Math.round(clip(Math.exp(PROMPT_MU + SIGMA * gaussian(rnd)), PROMPT_MIN, PROMPT_MAX));
    }

    static int outputLength(SplittableRandom rnd) {
        return (int) Math.round(clip(Math.exp(OUTPUT_MU + SIGMA * gaussian(rnd)), OUTPUT_MIN, OUTPUT_MAX));
    }

    private static double exp(SplittableRandom rnd, double rate) {
        return -Math.log(1 - rnd.nextDouble()) / rate;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1 - rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double clip(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Location of the lognormal whose clipped mean equals {@code mean} (numerical quadrature, bisection). */
    static double solveMu(double mean, double lo, double hi) {
        double a = Math.log(mean) - 3, b = Math.log(mean) + 1;
        for (int it = 0; it < 60; it++) {
            double mu = (a + b) / 2;
            if (clippedMean(mu, lo, hi) < mean) a = mu;
            else b = mu;
        }
        return (a + b) / 2;
    }

    private static double clippedMean(double mu, double lo, double hi) {
        int n = 4000;
        double sum = 0, z0 = -8, dz = 16.0 / n;
        for (int i = 0; i < n; i++) {
            double z = z0 + (i + 0.5) * dz;
            sum += clip(Math.exp(mu + SIGMA * z), lo, hi) * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * dz;
        }
        return sum;
    }
}
