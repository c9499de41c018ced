package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.engine.ModelRunner;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.SyntheticWeights;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the sections of {@link CudaBench} share: the KV geometry of every measured step, a runner
 * of the bench's synthetic model, one step with greedy sampling, median timing against the device,
 * and the printed lines.
 */
final class BenchRuns {
    /** KV block size and the decode context of every measured step. */
    static final int BLOCK = 16, CONTEXT = 512;

    private final CudaDevice dev;
    private final CudaBackend backend;
    private final ModelConfig config;

    BenchRuns(CudaDevice dev, CudaBackend backend, ModelConfig config) {
        this.dev = dev;
        this.backend = backend;
        this.config = config;
    }

    /** A runner of the synthetic model with weights of {@code seed} and a KV cache of {@code blocks} blocks, its loads landed. */
    ModelRunner runner(long seed, int blocks) {
        try (SyntheticWeights src = new SyntheticWeights(config, seed)) {
            ModelRunner r = new ModelRunner(config, src, backend,
                    new KvCacheShape(config.numLayers(), config.numKvHeads(), config.headDim(), BLOCK, blocks));
            backend.awaitWeightLoads();
            return r; // the pinned host cache holds the weights now; the generated copy is freed
        }
    }

    /** Median wall time of {@code r} followed by a compute-stream synchronisation. */
    double medianMs(Runnable r, int warm, int reps) {
        for (int i = 0; i < warm; i++) { r.run(); dev.synchronize(); }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            r.run();
            dev.synchronize();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        return median(t);
    }

    /** One forward step of {@code l} and greedy sampling of its logit rows. */
    static int[] step(ModelRunner r, StepLayout l, ModelRunner.Phase phase) {
        var logits = r.forward(l, phase);
        int n = l.logitRows().length;
        float[] temp = new float[n], topP = new float[n];
        Arrays.fill(topP, 1f);
        return r.sample(logits, new SamplingRows(temp, new int[n], topP, new double[n]));
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static double secs(long startNanos) { return (System.nanoTime() - startNanos) / 1e9; }

    static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
