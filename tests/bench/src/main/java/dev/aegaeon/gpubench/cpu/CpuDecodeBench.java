package dev.aegaeon.gpubench.cpu;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.Batch;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.engine.Sequence;
import dev.aegaeon.runtime.engine.StepResult;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decode tokens/s of a Qwen2.5-0.5B-shaped synthetic bf16 model on the CPU backend at batch 1 and 8,
 * beside the memory-bandwidth floor measured in the same run over the same weight bytes.
 *
 * <p>Run through {@code BenchCli cpu-decode [--steps 20] [--threads CORES]}.
 */
public final class CpuDecodeBench {
    private static final int PROMPT = 32;

    /** Decodes {@code steps} tokens at batch 1 and 8 on {@code threads} threads and prints the figures. */
    public static void run(int steps, int threads) {
        ModelConfig config = ModelShapes.qwen25_05b();
        try (SyntheticWeights weights = new SyntheticWeights(config, 1);
             InferenceEngine engine = new InferenceEngine(config, weights, new CpuBackend(threads),
                     new EngineOptions(16, 8 * ((PROMPT + steps + 8) / 16 + 2), null))) {
            List<MemorySegment> matrices = new ArrayList<>();
            for (String name : weights.names()) {
                MemorySegment data = weights.tensor(name).data();
                if (data.byteSize() > 1 << 16) matrices.add(data); // matrices; norms and biases are noise
            }
            try (MemoryBandwidth.Reader floor = new MemoryBandwidth.Reader(matrices, threads)) {
                long bytes = floor.bytes();
                System.out.printf(Locale.ROOT, "model: Qwen2.5-0.5B shape, synthetic bf16, %.2f B parameters, %.1f MB of matrices; %d threads%n",
                        config.parameterCount() / 1e9, bytes / 1e6, threads);
                System.out.println("each decode step alternates with one streaming pass over the same bytes; medians of " + steps + " pairs");
                for (int batch : new int[] {1, 8}) {
                    double[][] times = decodeAndFloorTimes(engine, floor, config, batch, steps);
                    double step = median(times[0]), pass = median(times[1]);
                    System.out.printf(Locale.ROOT,
                            "batch %d: decode %.2f tok/s (%.1f ms/step) | floor: %.2f GB/s, %.1f ms/pass = %.2f tok/s at batch 1 | decode step vs floor pass: %.0f%%%n",
                            batch, batch / step, 1e3 * step, bytes / pass / 1e9, 1e3 * pass, 1 / pass, 100 * pass / step);
                }
            }
        }
    }

    /** Per pair i: [0][i] one decode step of {@code batch} sequences, [1][i] one floor pass (seconds). */
    private static double[][] decodeAndFloorTimes(InferenceEngine engine, MemoryBandwidth.Reader floor, ModelConfig config,
                                                  int batch, int steps) {
        List<Sequence> seqs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] prompt = new int[PROMPT];
            for (int i = 0; i < PROMPT; i++) prompt[i] = (i * 131 + b * 7919 + 17) % config.vocabSize();
            seqs.add(engine.newSequence(prompt, new SamplingParams(0f, 0, 1f, 0L, steps + 4, List.of(), List.of())));
        }
        Batch all = new Batch(seqs);
        require(engine.prefill(all));
        for (int i = 0; i < 2; i++) {
            require(engine.decode(all));
            floor.passSeconds();
        }
        double[][] times = new double[2][steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            require(engine.decode(all));
            times[0][i] = (System.nanoTime() - t0) / 1e9;
            times[1][i] = floor.passSeconds();
        }
        for (Sequence s : seqs) engine.cancel(s);
        return times;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void require(StepResult r) {
        if (r instanceof StepResult.NoRoom n) throw new IllegalStateException("benchmark KV cache too small: " + n);
    }
}
