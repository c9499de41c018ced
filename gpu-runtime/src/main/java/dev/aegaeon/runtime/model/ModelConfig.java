package dev.aegaeon.runtime.model;

import java.util.List;

/**
 * What the engine needs to know of a model, read from HF {@code config.json} (or built directly for
 * synthetic models). Invariants, checked by the constructor: every size is positive,
 * {@code numHeads % numKvHeads == 0} (GQA groups are whole), {@code headDim} is even (RoPE rotates
 * pairs).
 *
 * @param architecture the HF architecture string, e.g. {@code Qwen2ForCausalLM}
 * @param headDim      per-head size; equals hidden/heads unless the config says otherwise (Qwen3)
 * @param eosTokenIds  end-of-sequence ids from config.json (generation_config.json may add more)
 */
public record ModelConfig(
        ModelFamily family,
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        List<Integer> eosTokenIds,
        Integer bosTokenId) {

    public ModelConfig {
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numLayers);
        requirePositive("num_attention_heads", numHeads);
        requirePositive("num_key_value_heads", numKvHeads);
        requirePositive("head_dim", headDim);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for RoPE, got " + headDim);
        }
        if (ropeScaling == null) ropeScaling = RopeScaling.NONE;
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) throw new IllegalArgumentException(field + " must be positive, got " + value);
    }

    public int qSize() { return numHeads * headDim; }

    public int kvSize() { return numKvHeads * headDim; }

    /** Query heads that share one KV head. */
    public int groupSize() { return numHeads / numKvHeads; }

    /** Parameter count implied by the shapes (embeddings counted once when tied). */
    public long parameterCount() {
        long h = hiddenSize;
        long perLayer = h * qSize() + 2 * h * kvSize() + (long) qSize() * h // attention
                + 3 * h * intermediateSize // gate, up, down
                + 2 * h; // two norms
        if (family.qkvBias()) perLayer += qSize() + 2L * kvSize();
        if (family.qkNorm()) perLayer += 2L * headDim;
        long embed = (long) vocabSize * h;
        return numLayers * perLayer + embed + (tieWordEmbeddings ? 0 : embed) + h;
    }
}
