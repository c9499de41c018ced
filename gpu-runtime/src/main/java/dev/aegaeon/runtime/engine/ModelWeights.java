package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightFormatException;
import dev.aegaeon.runtime.weights.WeightNames;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A model's parameters made resident on a backend, each checked against the shape the config implies
 * (a mismatch names the source and the tensor). Optional parts are null: biases unless Qwen2, q/k
 * norms unless Qwen3. With tied embeddings {@code lmHead == embed}.
 */
public record ModelWeights(Weight embed, Weight finalNorm, Weight lmHead, List<Layer> layers) {

    public record Layer(Weight attnNorm, Weight q, Weight k, Weight v, Weight o,
                        Weight qBias, Weight kBias, Weight vBias, Weight qNorm, Weight kNorm,
                        Weight mlpNorm, Weight gate, Weight up, Weight down) {}

    /** Whether every layer's matrix product has a 16-bit weight (none float32), so reads 16-bit operands on a device. */
    public boolean sixteenBitProducts() {
        for (Layer l : layers) {
            for (Weight w : new Weight[] {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()}) {
                if (w.dtype() == DType.F32) return false;
            }
        }
        return true;
    }

    public static ModelWeights load(ModelConfig c, WeightSource source, Backend backend) {
        Loader l = new Loader(source, backend);
        int h = c.hiddenSize();
        Weight embed = l.matrix(WeightNames.EMBED, c.vocabSize(), h);
        Weight finalNorm = l.vector(WeightNames.FINAL_NORM, h);
        Weight lmHead = c.tieWordEmbeddings() && !source.has(WeightNames.LM_HEAD)
                ? embed : l.matrix(WeightNames.LM_HEAD, c.vocabSize(), h);
        List<Layer> layers = new ArrayList<>(c.numLayers());
        boolean bias = c.family().qkvBias(), qkNorm = c.family().qkNorm();
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(new Layer(
                    l.vector(WeightNames.layer(i, WeightNames.ATTN_NORM), h),
                    l.matrix(WeightNames.layer(i, WeightNames.Q_PROJ), c.qSize(), h),
                    l.matrix(WeightNames.layer(i, WeightNames.K_PROJ), c.kvSize(), h),
                    l.matrix(WeightNames.layer(i, WeightNames.V_PROJ), c.kvSize(), h),
                    l.matrix(WeightNames.layer(i, WeightNames.O_PROJ), h, c.qSize()),
                    bias ? l.vector(WeightNames.layer(i, WeightNames.Q_BIAS), c.qSize()) : null,
                    bias ? l.vector(WeightNames.layer(i, WeightNames.K_BIAS), c.kvSize()) : null,
                    bias ? l.vector(WeightNames.layer(i, WeightNames.V_BIAS), c.kvSize()) : null,
                    qkNorm ? l.vector(WeightNames.layer(i, WeightNames.Q_NORM), c.headDim()) : null,
                    qkNorm ? l.vector(WeightNames.layer(i, WeightNames.K_NORM), c.headDim()) : null,
                    l.vector(WeightNames.layer(i, WeightNames.MLP_NORM), h),
                    l.matrix(WeightNames.layer(i, WeightNames.GATE_PROJ), c.intermediateSize(), h),
                    l.matrix(WeightNames.layer(i, WeightNames.UP_PROJ), c.intermediateSize(), h),
                    l.matrix(WeightNames.layer(i, WeightNames.DOWN_PROJ), h, c.intermediateSize())));
        }
        return new ModelWeights(embed, finalNorm, lmHead, List.copyOf(layers));
    }

    /** Releases every distinct weight on {@code backend} once (a tied lm_head is the embedding). */
    public void release(Backend backend) {
        Set<Weight> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Weight> all = new ArrayList<>(Arrays.asList(embed, finalNorm, lmHead));
        for (Layer l : layers) {
            Collections.addAll(all, l.attnNorm, l.q, l.k, l.v, l.o, l.qBias, l.kBias, l.vBias, l.qNorm, l.kNorm,
                    l.mlpNorm, l.gate, l.up, l.down);
        }
        for (Weight w : all) if (w != null) seen.add(w);
        backend.releaseWeights(seen);
    }

    /** Bytes a decode step streams: every matrix once (a tied lm_head counts again: it is read twice). */
    public long bytesReadPerDecodeStep() {
        long total = lmHead.byteSize();
        for (Layer layer : layers) {
            total += layer.q.byteSize() + layer.k.byteSize() + layer.v.byteSize() + layer.o.byteSize()
                    + layer.gate.byteSize() + layer.up.byteSize() + layer.down.byteSize();
        }
        return total;
    }

    private record Loader(WeightSource source, Backend backend) {

        Weight matrix(String name, long rows, long cols) { return load(name, rows, cols); }

        Weight vector(String name, long size) { return load(name, size); }

        private Weight load(String name, long... expected) {
            WeightTensor t = source.tensor(name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new WeightFormatException(source.describe() + ": tensor " + name + " has shape "
                        + Arrays.toString(t.shape()) + " but the config needs " + Arrays.toString(expected));
            }
            return backend.loadWeight(t, source.identity());
        }
    }
}
