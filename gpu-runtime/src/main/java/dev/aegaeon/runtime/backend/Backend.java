package dev.aegaeon.runtime.backend;

import dev.aegaeon.runtime.weights.WeightTensor;
import java.util.Optional;

/**
 * The operations one transformer forward pass needs, in the style of ggml's backends: every buffer
 * ({@link Tensor}, {@link Weight}, {@link KvCache}, {@link StepInputs}) is owned by the backend and
 * opaque to the engine, so a device backend keeps all of them resident and no host array crosses an
 * op. The engine's {@code ModelRunner} is written once against this interface; the CPU backend is the
 * reference (oracle) every other backend is compared to op by op.
 *
 * <p>Common invariants:
 * <ul>
 *   <li>All activations are fp32; weights keep their stored dtype and are widened while read.</li>
 *   <li>Ops may run asynchronously (on a stream); the only synchronising calls are
 *       {@link #copyToHost} and {@link #sample}, which return once prior ops have completed.</li>
 *   <li>An output tensor never aliases an input unless the op says "in place".</li>
 *   <li>Token rows follow the {@link StepLayout} of the {@link StepInputs} passed: row {@code t} is the
 *       {@code t}-th token of the step; the op acts on the first {@code layout.numTokens()} rows (or
 *       {@code numSeqs()} for decode attention, {@code logitRows.length} for gathers).</li>
 *   <li>Misuse (wrong shapes, a tensor of another backend) throws {@link IllegalArgumentException}
 *       before touching any buffer.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** "cpu", "cuda", ... as the command line's {@code --backend} spells it. */
    String name();

    /**
     * Makes the calling thread able to issue this backend's work (CUDA: sets this device's context
     * current; contexts are per thread). A worker that drives several backends calls it at the start
     * of every task it runs for this backend. No-op for backends without per-thread state.
     */
    default void bindThread() {}

    /**
     * Blocks until every weight copy that {@link #loadWeight} queued has landed on the device. A
     * backend that copies synchronously returns at once. Lets a worker say "loaded" only when it
     * is, so the time it measures is the real cost of a switch.
     */
    default void awaitWeightLoads() {}

    // ---- buffers ----

    /** A new fp32 tensor {@code [rows x cols]}; contents unspecified. */
    Tensor allocate(int rows, int cols);

    /**
     * As {@link #allocate}, for a tensor whose values only matrix products read (as {@link #linear}'s
     * or {@link #mlpActivation}'s x, or {@link #addProjectionRmsNorm}'s) and {@link #copyToHost}:
     * a device may keep what its ops write there as the products' 16-bit operand alone. The engine
     * asks for it only where no product reading it has a float32 weight.
     */
    default Tensor allocateProductInput(int rows, int cols) { return allocate(rows, cols); }

    /** Makes {@code source} resident (the CPU backend wraps its memory-mapped bytes, no copy). */
    Weight loadWeight(WeightTensor source);

    /**
     * As {@link #loadWeight(WeightTensor)}, for a tensor of a source with this
     * {@link dev.aegaeon.runtime.weights.WeightSource#identity()}: a backend with a host-side copy may
     * share it among loads of equal identity (the returned weight is still this load's own on the
     * device). The default ignores the identity.
     */
    default Weight loadWeight(WeightTensor source, Optional<String> sourceIdentity) { return loadWeight(source); }

    /**
     * The device memory this backend's weights, workspaces and KV caches may take together, where it
     * has a fixed amount (a GPU's arena or on-demand budget); empty where it has none (the CPU).
     */
    default java.util.OptionalLong deviceMemoryBytes() { return java.util.OptionalLong.empty(); }

    /** Bytes of one KV element as this backend stores it: fp32 on the CPU (the oracle), bf16 on CUDA. */
    default int kvBytesPerElement() { return Float.BYTES; }

    /** Storage for a paged KV cache of {@code shape}; contents unspecified until written. */
    KvCache allocateKvCache(KvCacheShape shape);

    /**
     * A KV cache of {@code shape} that takes memory only as blocks are written, where the backend can
     * ({@link #kvCacheGrowsWithUse()}); otherwise the same as {@link #allocateKvCache}.
     */
    default KvCache allocateGrowingKvCache(KvCacheShape shape) { return allocateKvCache(shape); }

    /**
     * True when {@link #allocateGrowingKvCache} takes memory only for the blocks written so far (so an
     * engine may address a whole device's shared pages without allocating them all); false when it
     * reserves every block of the shape at once.
     */
    default boolean kvCacheGrowsWithUse() { return false; }

    /**
     * Maps memory behind {@code blocks} of a growing {@code cache} before a step writes them; all or
     * nothing: false, with nothing mapped, when the device has no memory left for them. Backends
     * whose growing caches grow on their own (the CPU's) keep this default.
     */
    default boolean backKvBlocks(KvCache cache, int[] blocks) { return true; }

    /** Unmaps what {@link #backKvBlocks} mapped for {@code blocks}, which no step or copy uses any more. */
    default void unbackKvBlocks(KvCache cache, int[] blocks) {}

    /** Rotary tables for {@code inverseFrequencies.length * 2 == headDim}. */
    Rope createRope(float[] inverseFrequencies);

    /** Uploads the per-step indices (token ids, positions, slot mapping, block tables, ...). */
    StepInputs beginStep(StepLayout layout);

    /** Copies the first {@code rows} rows of {@code src} into {@code dst} (row-major); synchronises. */
    void copyToHost(Tensor src, int rows, float[] dst);

    /**
     * KV swap-out: copies K and V of {@code blocks} (every layer) of {@code cache} into a new host
     * array whose layout only {@link #writeKvBlocks} needs to understand. Synchronises.
     * Backends that cannot swap keep this default and the worker falls back to failing the swap.
     */
    default float[] readKvBlocks(KvCache cache, int[] blocks) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot copy KV blocks to host memory");
    }

    /**
     * KV swap-in: writes what {@link #readKvBlocks} returned into {@code blocks} of {@code cache}
     * (same count, any ids), so a swapped sequence continues bit-for-bit as if never moved.
     */
    default void writeKvBlocks(KvCache cache, int[] blocks, float[] host) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot copy KV blocks from host memory");
    }

    /**
     * Before a KV hand-off detaches blocks of {@code cache} (on the thread that drives this
     * backend): returns when every write queued for them so far is complete, so another backend's
     * thread may copy them ({@link #copyKvBlocksFrom}) without touching this backend's queues.
     * Backends that compute synchronously keep this no-op.
     */
    default void finishKvWrites(KvCache cache) {}

    /**
     * KV hand-off, engine to engine: copies {@code sourceBlocks} of {@code sourceCache} (on
     * {@code source}, possibly another device) into {@code blocks} of {@code cache} (same count, any
     * ids, same model and block size); the blocks hold the copy on return. Runs on the thread that
     * drives this backend; the source's blocks were finished ({@link #finishKvWrites}) and nothing
     * writes them until this returns. This default goes through host memory and calls
     * {@code source.readKvBlocks} from this thread, so only backends whose read is safe from any
     * thread then (the CPU backend's is a plain array copy) may keep it when source is another
     * backend instance; the CUDA backend overrides it with a device-to-device copy.
     */
    default void copyKvBlocksFrom(Backend source, KvCache sourceCache, int[] sourceBlocks, KvCache cache, int[] blocks) {
        if (sourceBlocks.length != blocks.length) {
            throw new IllegalArgumentException(sourceBlocks.length + " source blocks for " + blocks.length + " target blocks");
        }
        writeKvBlocks(cache, blocks, source.readKvBlocks(sourceCache, sourceBlocks));
    }

    /**
     * Fills the first {@code src.length / dst.cols()} rows of {@code dst} from {@code src} (row-major).
     * Not used per op by the engine: it serves tests (op conformance) and host-side staging.
     */
    void copyFromHost(float[] src, Tensor dst);

    /** Releases a tensor, KV cache or weight early; using it afterwards is undefined. */
    void release(Object buffer);

    /**
     * Releases a model's weights together (each once; none used afterwards). A device backend waits
     * for queued work once for the whole set instead of once per weight, which matters when a switch
     * evicts hundreds of them.
     */
    default void releaseWeights(java.util.Collection<Weight> weights) {
        for (Weight w : weights) release(w);
    }

    // ---- ops ----

    /** {@code out[t] = table[tokenIds[t]]} (table {@code [vocab x hidden]}); ids are in range. */
    void embed(Weight table, StepInputs step, Tensor out);

    /** {@code out = x / rms(x) * gamma}, per row, rms with {@code eps} in fp32 (HF LlamaRMSNorm). */
    void rmsNorm(Tensor x, Weight gamma, float eps, Tensor out);

    /**
     * Fused residual add and norm: first {@code residual += x} (in place on {@code residual}), then
     * {@code out = rmsNorm(residual) * gamma}. {@code out} may alias {@code x}.
     */
    void addRmsNorm(Tensor x, Tensor residual, Weight gamma, float eps, Tensor out);

    /**
     * A block's output projection added to the residual stream, then the next norm: {@code residual
     * += x @ w^T}, then {@code out = rmsNorm(residual) * gamma}. {@code scratch [n x w.rows]} may
     * receive the projection; its contents afterwards are unspecified unless it is {@code out},
     * which it may be. The default is exactly
     * {@link #linear} into scratch then {@link #addRmsNorm}; a device may add the product to the
     * residual in its epilogue instead (the same fp32 sum, without writing and re-reading scratch).
     */
    default void addProjectionRmsNorm(Tensor x, Weight w, Tensor scratch, Tensor residual, Weight gamma, float eps, Tensor out) {
        linear(x, w, null, scratch);
        addRmsNorm(scratch, residual, gamma, eps, out);
    }

    /**
     * {@code out[t] = x[t] @ w^T + bias} for every row: {@code x [n x in]}, {@code w [out x in]},
     * {@code bias [1 x out]} or null, {@code out [n x out]}. Accumulates in fp32.
     */
    void linear(Tensor x, Weight w, Weight bias, Tensor out);

    /**
     * Two products of one input: exactly {@link #linear}{@code (x, w0, bias0, out0)} then
     * {@link #linear}{@code (x, w1, bias1, out1)} (the default); a device may run them as one
     * batched product where w0 and w1 have one shape (the CUDA backend's paired products).
     */
    default void linearPair(Tensor x, Weight w0, Weight bias0, Tensor out0, Weight w1, Weight bias1, Tensor out1) {
        linear(x, w0, bias0, out0);
        linear(x, w1, bias1, out1);
    }

    /**
     * Qwen3's per-head RMSNorm, in place: {@code x [n x heads*headDim]}, each head slice normalised
     * separately and scaled by {@code gamma [1 x headDim]}.
     */
    void headRmsNorm(Tensor x, int heads, Weight gamma, float eps);

    /**
     * Rotates q {@code [n x qHeads*headDim]} and k {@code [n x kvHeads*headDim]} in place by each
     * token's position ({@code step.positions}).
     */
    void rope(Tensor q, Tensor k, int qHeads, int kvHeads, Rope rope, StepInputs step);

    /**
     * Stores k and v {@code [n x kvHeads*headDim]} of layer {@code layer} at each token's slot
     * ({@code step.slotMapping}); a slot of -1 is skipped (padding).
     */
    void writeKv(Tensor k, Tensor v, KvCache cache, int layer, StepInputs step);

    /**
     * Causal self-attention of prompts: token {@code t} of sequence {@code s} attends to tokens
     * {@code queryStart[s] .. t} of the same sequence, from this step's {@code k}/{@code v}. GQA:
     * query head {@code h} reads KV head {@code h / (qHeads / kvHeads)}. Scale {@code 1/sqrt(headDim)},
     * softmax in fp32. Requires every sequence of the step to start at position 0 (no cached prefix).
     * {@code out [n x qHeads*headDim]}.
     */
    void prefillAttention(Tensor q, Tensor k, Tensor v, int qHeads, int kvHeads, StepInputs step, Tensor out);

    /**
     * Paged decode attention: one query row per sequence ({@code queryStart[s+1] == queryStart[s] + 1}),
     * attending to positions {@code 0 .. contextLengths[s]-1} of layer {@code layer}, read through the
     * sequence's block table (the current token must already be written by {@link #writeKv}). GQA and
     * scale as in {@link #prefillAttention}.
     */
    void decodeAttention(Tensor q, KvCache cache, int layer, int qHeads, int kvHeads, StepInputs step, Tensor out);

    /** {@code out = silu(gate) * up}, element-wise; {@code out} may alias {@code gate}. */
    void siluMul(Tensor gate, Tensor up, Tensor out);

    /**
     * The MLP's activation: afterwards {@code gate} holds {@code silu(x . gateW^T) * (x . upW^T)}
     * ({@code gate} and {@code up} {@code [n x intermediate]}, no biases) and {@code up}'s contents
     * are unspecified. This default is {@link #linear} twice and {@link #siluMul}, as the forward pass
     * did before; a backend may instead hold gate's result only in the form its next {@link #linear}
     * reads (the CUDA backend's bf16 MLP), where ops other than {@link #linear} and {@link #copyToHost}
     * that read {@code gate} before it is written again may refuse to.
     */
    default void mlpActivation(Tensor x, Weight gateW, Weight upW, Tensor gate, Tensor up) {
        linear(x, gateW, null, gate);
        linear(x, upW, null, up);
        siluMul(gate, up, gate);
    }

    /** {@code out[i] = x[logitRows[i]]}: picks the rows whose logits the step needs. */
    void gatherRows(Tensor x, StepInputs step, Tensor out);

    /**
     * Sampling hook: one token id per row of {@code logits} (greedy where temperature is 0, else
     * temperature, then top-k, then top-p, then a draw with the row's uniform). Synchronises; only
     * the ids cross to the host.
     */
    int[] sample(Tensor logits, SamplingRows rows);

    @Override
    void close();
}
