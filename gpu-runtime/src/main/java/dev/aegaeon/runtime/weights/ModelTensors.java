package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

import static dev.aegaeon.runtime.weights.WeightNames.*;

/**
 * The tensors a config's family needs, with the shapes HF stores them in. The single source of
 * truth for {@link RequiredTensors}, {@link SyntheticWeights} and the HF writer.
 */
public final class ModelTensors {
    private ModelTensors() {}

    /** Every tensor of the model, in HF's order: embeddings, layers, final norm, lm_head (absent when tied). */
    public static List<TensorSpec> of(ModelConfig c) {
        long h = c.hiddenSize(), q = c.qSize(), kv = c.kvSize(), ffn = c.intermediateSize(), vocab = c.vocabSize();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec(EMBED, new long[] {vocab, h}, TensorRole.EMBEDDING));
        for (int l = 0; l < c.numLayers(); l++) {
            specs.add(new TensorSpec(layer(l, ATTN_NORM), new long[] {h}, TensorRole.NORM));
            specs.add(new TensorSpec(layer(l, Q_PROJ), new long[] {q, h}, TensorRole.PROJECTION));
            specs.add(new TensorSpec(layer(l, K_PROJ), new long[] {kv, h}, TensorRole.PROJECTION));
            specs.add(new TensorSpec(layer(l, V_PROJ), new long[] {kv, h}, TensorRole.PROJECTION));
            if (c.family().qkvBias()) {
                specs.add(new TensorSpec(layer(l, Q_BIAS), new long[] {q}, TensorRole.BIAS));
                specs.add(new TensorSpec(layer(l, K_BIAS), new long[] {kv}, TensorRole.BIAS));
                specs.add(new TensorSpec(layer(l, V_BIAS), new long[] {kv}, TensorRole.BIAS));
            }
            if (c.family().qkNorm()) {
                specs.add(new TensorSpec(layer(l, Q_NORM), new long[] {c.headDim()}, TensorRole.NORM));
                specs.add(new TensorSpec(layer(l, K_NORM), new long[] {c.headDim()}, TensorRole.NORM));
            }
            specs.add(new TensorSpec(layer(l, O_PROJ), new long[] {h, q}, TensorRole.PROJECTION));
            specs.add(new TensorSpec(layer(l, MLP_NORM), new long[] {h}, TensorRole.NORM));
            specs.add(new TensorSpec(layer(l, GATE_PROJ), new long[] {ffn, h}, TensorRole.PROJECTION));
            specs.add(new TensorSpec(layer(l, UP_PROJ), new long[] {ffn, h}, TensorRole.PROJECTION));
            specs.add(new TensorSpec(layer(l, DOWN_PROJ), new long[] {h, ffn}, TensorRole.PROJECTION));
        }
        specs.add(new TensorSpec(FINAL_NORM, new long[] {h}, TensorRole.NORM));
        if (!c.tieWordEmbeddings()) specs.add(new TensorSpec(LM_HEAD, new long[] {vocab, h}, TensorRole.EMBEDDING));
        return specs;
    }
}
