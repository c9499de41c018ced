package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.time.Duration;
import java.util.SplittableRandom;

/** Each model run alone with InferenceEngine, the way the pool must reproduce it, and test fixtures. */
final class Reference {
    private Reference() {}

    static final int BLOCK = 16;

    /** The pool options the tests use: CPU, no automatic idle decay. */
    static PoolOptions options() {
        return PoolOptions.defaults().withBackend("cpu").withKvTokensPerModel(2048)
                .withClock(PoolOptions.SYSTEM_CLOCK, Duration.ZERO);
    }

    static ModelFunction synthetic(String name, String shape, long seed) {
        return ModelFunction.of(name, new WeightOrigin.Synthetic(shape, seed));
    }

    /** Greedy tokens of the model alone, stopping at its EOS ids like the pool does. */
    static int[] alone(String shape, long seed, int[] prompt, int maxTokens) {
        ModelConfig config = SyntheticShapes.config(shape);
        try (CpuBackend backend = new CpuBackend();
             SyntheticWeights weights = new SyntheticWeights(config, seed);
             InferenceEngine engine = new InferenceEngine(config, weights, backend, new EngineOptions(BLOCK, 256, null))) {
            Generation g = engine.generate(prompt, greedy(maxTokens).withStopTokenIds(config.eosTokenIds()));
            return g.ids();
        }
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy(maxTokens);
    }

    static int[] prompt(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] p = new int[length];
        for (int i = 0; i < length; i++) p[i] = r.nextInt(256); // byte tokens: text the synthetic tokenizer can show
        return p;
    }
}
