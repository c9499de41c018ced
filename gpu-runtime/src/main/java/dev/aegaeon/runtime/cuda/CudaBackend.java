package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kernels.CudaRope;
import dev.aegaeon.runtime.cuda.kernels.StepGraphs;
import dev.aegaeon.runtime.cuda.kv.CudaKvCache;
import dev.aegaeon.runtime.cuda.kv.KvCaches;
import dev.aegaeon.runtime.cuda.kv.KvHostCopies;
import dev.aegaeon.runtime.cuda.kv.PeerKvCopies;
import dev.aegaeon.runtime.cuda.memory.ArenaOccupancy;
import dev.aegaeon.runtime.cuda.memory.ChunkBudget;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.Rope;
import dev.aegaeon.runtime.backend.SamplingRows;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.weights.WeightTensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import java.util.Optional;

import static jcuda.driver.JCudaDriver.*;

/**
 * The engine's {@link Backend} on one GPU. Weights are bf16 in the pinned host cache ({@link CudaWeights})
 * and the VRAM weight pool (f32 when the checkpoint stores f32, read by simple fp32 kernels);
 * activations fp32 in the arena; bf16 matrix products of up to 8 rows read them as they are
 * (GEMV), larger ones convert their input to bf16 once per write for the tensor cores; all
 * accumulate in fp32 (with {@link CudaOptions#bf16Mlp} the MLP's gate and up products write bf16
 * and its activation lives only as the down product's operand: {@link Bf16Mlp}). Every op is
 * queued on the compute stream; {@link #copyToHost} and {@link #sample} synchronise. Weights load on the load stream with an event each
 * ({@link #prefetch}), so compute overlaps a model's load.
 * Buffers come from the arena: after start no op allocates device memory with the driver.
 */
public final class CudaBackend implements Backend {
    private final CudaDevice dev;
    private final boolean ownsDevice;
    private final CudaOps ops;
    private final CUstream compute;
    private final CudaWeights weights;
    private final DeviceRegion matmulWorkspace;
    private DeviceRegion stepBuffer;
    private final KvHostCopies kvHost;
    private final PeerKvCopies peerKv;
    private final KvCaches kvCaches;
    /** The products' bf16 operands, fused into their producers per {@link CudaOptions#fusedBf16Operands}. */
    private final Bf16Operands bf16;
    /** The MLP's activation with bf16 in between ({@link CudaOptions#bf16Mlp}). */
    private final Bf16Mlp bf16Mlp;
    /** Output projections added to the residual in cuBLASLt's epilogue ({@link CudaOptions#residualEpilogue}). */
    private final ResidualEpilogue residualEpilogue;
    /** Products' inputs written as their bf16 operand alone ({@link CudaOptions#bf16OnlyInputs}). */
    private final Bf16OnlyInputs bf16OnlyInputs;
    private final CudaAttention attention;
    /** Two products of one input as one batched call ({@link CudaOptions#pairedProducts}). */
    private final PairedProducts pairs;
    private final CudaProducts products;
    private final CudaSampler sampler;

    public CudaBackend(CudaDevice dev, boolean ownsDevice) {
        this.dev = dev;
        this.ownsDevice = ownsDevice;
        dev.makeCurrent();
        this.ops = dev.ops();
        this.compute = dev.computeStream();
        this.weights = new CudaWeights(dev, Long.getLong("aegaeon.hostCacheBytes", 96L << 30));
        this.matmulWorkspace = dev.arena().allocateOrThrow(ops.matmulWorkspaceBytes(), "matrix-product workspace");
        ops.prepareWorkspace(matmulWorkspace.ptr());
        CudaOptions options = CudaOptions.current();
        this.kvHost = new KvHostCopies(dev, compute, options.kvStagingBytes(), options.pinnedKvCopies());
        this.peerKv = new PeerKvCopies(dev, compute);
        this.kvCaches = new KvCaches(dev);
        this.bf16 = new Bf16Operands(dev, compute, options.fusedBf16Operands());
        this.bf16Mlp = new Bf16Mlp(ops, bf16, compute, options.bf16Mlp());
        this.residualEpilogue = new ResidualEpilogue(ops, bf16, compute, options.residualEpilogue());
        this.bf16OnlyInputs = new Bf16OnlyInputs(bf16, options.bf16OnlyInputs());
        this.attention = new CudaAttention(ops, compute, bf16, bf16OnlyInputs, matmulWorkspace.ptr());
        this.pairs = new PairedProducts(ops, bf16, weights, compute, options.pairedProducts());
        this.products = new CudaProducts(ops, bf16, weights, compute, matmulWorkspace.ptr());
        this.sampler = new CudaSampler(dev, ops, compute);
    }

    public CudaDevice device() { return dev; }

    @Override public String name() { return "cuda"; }

    @Override public void bindThread() { dev.makeCurrent(); }

    // ---- buffers ----

    @Override
    public Tensor allocate(int rows, int cols) { return allocate(rows, cols, false); }

    /** A tensor only products read: with {@link CudaOptions#bf16OnlyInputs} its writers may keep its bf16 operand alone. */
    @Override
    public Tensor allocateProductInput(int rows, int cols) { return allocate(rows, cols, true); }

    private Tensor allocate(int rows, int cols, boolean productInput) {
        if (rows < 0 || cols <= 0) throw new IllegalArgumentException("tensor shape " + rows + " x " + cols);
        dev.makeCurrent();
        DeviceRegion r = dev.arena().allocateOrThrow(Math.max(4L, 4L * rows * cols), "a " + rows + "x" + cols + " tensor");
        return new CudaTensor(new CudaTensor.Storage(r, rows, cols, productInput), rows);
    }

    @Override
    public Weight loadWeight(WeightTensor source) { return loadWeight(source, Optional.empty()); }

    /**
     * A weight of its own on the device; its pinned host copy is shared with every other load of a
     * source of the same identity (refcounted, so it outlives any one model), or this load's own
     * when the source has none.
     */
    @Override
    public Weight loadWeight(WeightTensor source, Optional<String> sourceIdentity) {
        return weights.load(source, sourceIdentity);
    }

    /** Starts copying {@code weight} from the host cache to the GPU (no-op when resident). */
    public void prefetch(Weight weight) { weights.prefetch(cuda(weight)); }

    /** Frees {@code weight}'s VRAM, keeping its pinned host copy for a later {@link #prefetch}. */
    public void evict(Weight weight) { weights.evict(cuda(weight)); }

    /** Blocks until every queued weight load has landed. */
    @Override
    public void awaitWeightLoads() { weights.awaitLoads(); }

    public ArenaOccupancy occupancy() { return dev.arena().occupancy(); }

    public long hostCacheBytes() { return weights.hostCacheBytes(); }

    @Override
    public KvCache allocateKvCache(KvCacheShape shape) { return kvCaches.allocate(shape); }

    /** KV caches allocated and not released, oldest first (the engine's runner does not expose its own). */
    public java.util.List<KvCache> kvCaches() { return java.util.List.copyOf(kvCaches.live()); }

    @Override
    public int kvBytesPerElement() { return 2; }

    @Override
    public java.util.OptionalLong deviceMemoryBytes() {
        return java.util.OptionalLong.of(dev.chunks().map(ChunkBudget::limitBytes).orElse(dev.arena().bytes()));
    }

    /** True where the device's memory is on demand: a growing cache then maps memory only for the blocks in use. */
    @Override
    public boolean kvCacheGrowsWithUse() { return kvCaches.grows(); }

    @Override
    public KvCache allocateGrowingKvCache(KvCacheShape shape) { return kvCaches.allocateGrowing(shape); }

    @Override
    public boolean backKvBlocks(KvCache cache, int[] blocks) { return kvCaches.back(CudaKvCache.of(cache, blocks), blocks); }

    @Override
    public void unbackKvBlocks(KvCache cache, int[] blocks) { kvCaches.unback(CudaKvCache.of(cache, blocks), blocks); }

    @Override
    public Rope createRope(float[] inverseFrequencies) {
        dev.makeCurrent(); // several devices may be driven from one thread: the copy needs this one's context
        DeviceRegion r = dev.arena().allocateOrThrow(4L * inverseFrequencies.length, "RoPE table");
        cuMemcpyHtoD(r.ptr(), Pointer.to(inverseFrequencies), 4L * inverseFrequencies.length);
        return new CudaRope(2 * inverseFrequencies.length, r);
    }

    @Override
    public StepInputs beginStep(StepLayout layout) {
        dev.makeCurrent();
        graphs().flush(); // the last step's launches read the step buffer this upload overwrites
        long bytes = 4L * CudaStepInputs.packedInts(layout);
        if (stepBuffer == null || stepBuffer.bytes() < bytes) {
            if (stepBuffer != null) { cuStreamSynchronize(compute); dev.arena().free(stepBuffer); }
            stepBuffer = dev.arena().allocateOrThrow(Math.max(bytes * 2, 1 << 16), "step inputs");
        }
        CudaStepInputs inputs = CudaStepInputs.upload(layout, stepBuffer.ptr(), compute);
        // Decode-shaped steps (one token per sequence) repeat their launch sequence step after
        // step: record them for a graph replay. Prefill launches are few and long.
        if (layout.numTokens() == layout.numSeqs()) graphs().begin(compute);
        return inputs;
    }

    private StepGraphs graphs() { return ops.graphs(); }

    @Override
    public void copyToHost(Tensor src, int rows, float[] dst) {
        CudaTensor t = cuda(src);
        if (rows > t.storage.capacityRows || dst.length < (long) rows * t.cols()) {
            throw new IllegalArgumentException("copy of " + rows + " rows does not fit");
        }
        dev.makeCurrent();
        dev.synchronize();
        if (t.storage.fp32Stale) bf16.copyToHost(t.storage, rows, dst); // a bf16-only write: widened, for tests
        else cuMemcpyDtoH(Pointer.to(dst), t.ptr(), 4L * rows * t.cols());
    }

    /** Selects the KV swap's path (tests compare the two; the property sets the default). */
    public void usePinnedKvCopies(boolean pinned) { kvHost.usePinned(pinned); }

    /**
     * Swap-out, synchronous: after the compute work queued so far (which may still write the
     * blocks), copies the blocks to the host in the CPU backend's layout ({@link KvHostCopies}).
     */
    @Override
    public float[] readKvBlocks(KvCache cache, int[] blocks) {
        return kvHost.read(CudaKvCache.of(cache, blocks), blocks);
    }

    /**
     * Swap-in, synchronous: rounds each block back to bf16 (exact for values read by
     * {@link #readKvBlocks}) and copies it into place after the compute work queued so far; the
     * blocks hold the copy when the call returns.
     */
    @Override
    public void writeKvBlocks(KvCache cache, int[] blocks, float[] host) {
        kvHost.write(CudaKvCache.of(cache, blocks), blocks, host);
    }

    /** Before a hand-off detaches blocks: every queued step (graphs flushed) has completed. */
    @Override
    public void finishKvWrites(KvCache cache) {
        dev.makeCurrent();
        dev.synchronize();
    }

    /**
     * Hand-off from another CUDA engine (another GPU, or this one): device to device, one
     * {@code cuMemcpyPeerAsync} per run of consecutive ids ({@link PeerKvCopies}); from any other
     * backend through host memory (the default).
     */
    @Override
    public void copyKvBlocksFrom(Backend source, KvCache sourceCache, int[] sourceBlocks, KvCache cache, int[] blocks) {
        if (!(source instanceof CudaBackend from)) {
            Backend.super.copyKvBlocksFrom(source, sourceCache, sourceBlocks, cache, blocks);
            return;
        }
        peerKv.copy(from.dev, CudaKvCache.of(sourceCache, sourceBlocks), sourceBlocks, CudaKvCache.of(cache, blocks), blocks);
    }

    @Override
    public void copyFromHost(float[] src, Tensor dst) {
        CudaTensor t = cuda(dst);
        if (src.length % t.cols() != 0 || src.length / t.cols() > t.storage.capacityRows) {
            throw new IllegalArgumentException(src.length + " values do not fill whole rows of a "
                    + t.storage.capacityRows + "x" + t.cols() + " tensor");
        }
        dev.makeCurrent();
        graphs().flush();
        cuStreamSynchronize(compute); // the tensor may still be read or written by queued ops
        cuMemcpyHtoD(t.writePtr(), Pointer.to(src), 4L * src.length);
        t.written();
    }

    @Override
    public void releaseWeights(java.util.Collection<Weight> all) {
        weights.releaseAll(all.stream().map(CudaBackend::cuda).toList());
    }

    @Override
    public void release(Object buffer) {
        dev.makeCurrent();
        dev.synchronize();
        switch (buffer) {
            case CudaTensor t -> {
                dev.arena().free(t.storage.region);
                if (t.storage.bf16Shadow != null) dev.arena().free(t.storage.bf16Shadow);
            }
            case CudaWeight w -> weights.release(w);
            case CudaKvCache c -> kvCaches.free(c);
            case CudaRope r -> dev.arena().free(r.invFreq());
            default -> throw new IllegalArgumentException("not a CUDA buffer: " + buffer);
        }
    }

    // ---- ops ----

    @Override
    public void embed(Weight table, StepInputs step, Tensor out) {
        CudaTensor o = cuda(out);
        CudaStepInputs s = cuda(step);
        int n = s.layout().numTokens();
        ops.embedding(compute, s.tokenIds, use(table), cuda(table).isF32(), o.writePtr(), n, table.cols());
        o.written();
    }

    @Override
    public void rmsNorm(Tensor x, Weight gamma, float eps, Tensor out) {
        CudaTensor xi = cuda(x), o = cuda(out);
        norm(xi, CudaOps.NONE, gamma, eps, o);
    }

    @Override
    public void addRmsNorm(Tensor x, Tensor residual, Weight gamma, float eps, Tensor out) {
        CudaTensor xi = cuda(x), r = cuda(residual), o = cuda(out);
        norm(r, xi.ptr(), gamma, eps, o);
        r.written();
    }

    /**
     * With {@link CudaOptions#residualEpilogue} where it applies ({@link ResidualEpilogue#applies}):
     * the product added to the residual in cuBLASLt's epilogue and the residual normed alone, scratch
     * left unwritten. Otherwise the default sequence.
     */
    @Override
    public void addProjectionRmsNorm(Tensor x, Weight w, Tensor scratch, Tensor residual, Weight gamma, float eps, Tensor out) {
        CudaTensor xi = cuda(x), r = cuda(residual);
        CudaProducts.check("addProjectionRmsNorm", xi, w, r);
        if (r.rows() != xi.rows()) throw new IllegalArgumentException("addProjectionRmsNorm: " + xi.rows() + " rows into a residual of " + r.rows());
        if (residualEpilogue.addInto(xi, cuda(w), use(w), r)) {
            norm(r, CudaOps.NONE, gamma, eps, cuda(out));
        } else {
            Backend.super.addProjectionRmsNorm(x, w, scratch, residual, gamma, eps, out);
        }
    }

    /** Selects bf16-only product inputs or fp32 with them (tests and the bench compare the two; see {@link CudaOptions#bf16OnlyInputs}). */
    public void useBf16OnlyInputs(boolean on) { bf16OnlyInputs.setOn(on); }

    public boolean bf16OnlyInputs() { return bf16OnlyInputs.on(); }

    /** Norm and prefill attention writes that went to a product input's bf16 operand alone, ever. */
    public long bf16OnlyInputWrites() { return bf16OnlyInputs.writes(); }

    /** Selects the residual epilogue or the default sequence (tests and the bench compare the two; see {@link CudaOptions#residualEpilogue}). */
    public void useResidualEpilogue(boolean on) { residualEpilogue.setOn(on); }

    public boolean residualEpilogue() { return residualEpilogue.on(); }

    /** residual (+= delta) normed into out; with fused bf16 operands, out's bf16 operand too. */
    private void norm(CudaTensor residual, CUdeviceptr delta, Weight gamma, float eps, CudaTensor out) {
        int rows = residual.rows(), cols = residual.cols();
        CUdeviceptr g = use(gamma);
        boolean f32 = cuda(gamma).isF32();
        if (bf16.fuses(rows, cols)) {
            CUdeviceptr shadow = bf16.shadow(out.storage);
            boolean bf16Only = bf16OnlyInputs.appliesTo(out, rows);
            ops.addRmsNormBf16Out(compute, residual.ptr(), delta, g, f32, bf16Only ? CudaOps.NONE : out.writePtr(), shadow, rows, cols, eps);
            if (bf16Only) bf16OnlyInputs.wrote(out, rows);
            else out.writtenWithBf16(rows);
        } else {
            ops.addRmsNorm(compute, residual.ptr(), delta, g, f32, out.writePtr(), rows, cols, eps);
            out.written();
        }
    }

    /** Selects the fused or separate bf16 operand conversion (tests and the bench compare the two). */
    public void useFusedBf16Operands(boolean fused) { bf16.setFused(fused); }

    public boolean fusedBf16Operands() { return bf16.fused(); }

    @Override
    public void linear(Tensor x, Weight w, Weight bias, Tensor out) {
        CudaTensor xi = cuda(x), o = cuda(out);
        CudaProducts.check("linear", xi, w, o);
        if (bias != null && bias.cols() != w.rows()) {
            throw new IllegalArgumentException("linear: bias of " + bias.cols() + " for " + w.rows() + " outputs");
        }
        products.run(xi, cuda(w), bias == null ? null : cuda(bias), o.writePtr(), true);
        o.written();
    }

    @Override
    public void linearPair(Tensor x, Weight w0, Weight bias0, Tensor out0, Weight w1, Weight bias1, Tensor out1) {
        CudaTensor xi = cuda(x), o0 = cuda(out0), o1 = cuda(out1);
        CudaProducts.check("linearPair", xi, w0, o0);
        CudaProducts.check("linearPair", xi, w1, o1);
        if (pairs.run(xi, cuda(w0), bias0 == null ? null : cuda(bias0), o0.writePtr(), cuda(w1), bias1 == null ? null : cuda(bias1),
                o1.writePtr(), true)) {
            o0.written();
            o1.written();
            return;
        }
        linear(x, w0, bias0, out0);
        linear(x, w1, bias1, out1);
    }

    /** Selects paired products or two calls (tests and the bench compare the two; see {@link CudaOptions#pairedProducts}). */
    public void usePairedProducts(boolean on) { pairs.setOn(on); }

    public boolean pairedProducts() { return pairs.on(); }

    /** Pairs of products run as one batched call, ever. */
    public long pairedProductRuns() { return pairs.pairs(); }

    /**
     * With {@link CudaOptions#bf16Mlp} where it applies ({@link Bf16Mlp#applies}): gate's bf16
     * operand holds the result and gate's fp32 values are stale (the down product reads the
     * operand; copyToHost widens it; every other reader of gate refuses until it is written again).
     * Otherwise the default sequence.
     */
    @Override
    public void mlpActivation(Tensor x, Weight gateW, Weight upW, Tensor gate, Tensor up) {
        CudaTensor xi = cuda(x), g = cuda(gate), u = cuda(up);
        CudaProducts.check("mlpActivation gate", xi, gateW, g);
        CudaProducts.check("mlpActivation up", xi, upW, u);
        if (!bf16Mlp.run(xi, cuda(gateW), cuda(upW), g, u, (in, w, out, outF32) -> products.run(in, w, null, out, outF32),
                (in, w0, out0, w1, out1) -> pairs.run(in, w0, null, out0, w1, null, out1, false))) {
            Backend.super.mlpActivation(x, gateW, upW, gate, up);
        }
    }

    /** Selects the bf16 MLP or the fp32 sequence (tests and the bench compare the two; see {@link CudaOptions#bf16Mlp}). */
    public void useBf16Mlp(boolean on) { bf16Mlp.setOn(on); }

    public boolean bf16Mlp() { return bf16Mlp.on(); }

    /** MLP activations that took the bf16 path, ever. */
    public long bf16MlpActivations() { return bf16Mlp.activations(); }

    /** The storage's bf16 operand, allocated on first use. */
    CUdeviceptr bf16Shadow(CudaTensor.Storage st) { return bf16.shadow(st); }

    @Override
    public void headRmsNorm(Tensor x, int heads, Weight gamma, float eps) {
        CudaTensor xi = cuda(x);
        ops.headRmsNorm(compute, xi.ptr(), xi.cols(), xi.rows(), heads, gamma.cols(), use(gamma), cuda(gamma).isF32(), eps);
        xi.written();
    }

    @Override
    public void rope(Tensor q, Tensor k, int qHeads, int kvHeads, Rope rope, StepInputs step) {
        CudaTensor qi = cuda(q), ki = cuda(k);
        CudaRope r = (CudaRope) rope;
        ops.rope(compute, qi.ptr(), qi.cols(), ki.ptr(), ki.cols(), qi.rows(), qHeads, kvHeads, r.headDim(),
                cuda(step).positions, r.invFreq().ptr());
        qi.written();
        ki.written();
    }

    @Override
    public void writeKv(Tensor k, Tensor v, KvCache cache, int layer, StepInputs step) {
        attention.writeKv(cuda(k), cuda(v), (CudaKvCache) cache, layer, step, cuda(step));
    }

    @Override
    public void prefillAttention(Tensor q, Tensor k, Tensor v, int qHeads, int kvHeads, StepInputs step, Tensor out) {
        attention.prefill(cuda(q), qHeads, kvHeads, step, cuda(step), cuda(out));
    }

    @Override
    public void decodeAttention(Tensor q, KvCache cache, int layer, int qHeads, int kvHeads, StepInputs step, Tensor out) {
        attention.decode(cuda(q), (CudaKvCache) cache, layer, qHeads, kvHeads, cuda(step), cuda(out));
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        CudaTensor g = cuda(gate), o = cuda(out);
        long n = (long) g.rows() * g.cols();
        if (bf16.fuses(g.rows(), g.cols())) {
            ops.siluMulBf16Out(compute, g.ptr(), cuda(up).ptr(), o.writePtr(), bf16Shadow(o.storage), n);
            o.writtenWithBf16(g.rows());
        } else {
            ops.siluMul(compute, g.ptr(), cuda(up).ptr(), o.writePtr(), n);
            o.written();
        }
    }

    @Override
    public void gatherRows(Tensor x, StepInputs step, Tensor out) {
        CudaStepInputs s = cuda(step);
        CudaTensor o = cuda(out);
        ops.gatherRows(compute, cuda(x).ptr(), s.logitRows, o.writePtr(), s.layout().logitRows().length, o.cols());
        o.written();
    }

    @Override
    public int[] sample(Tensor logits, SamplingRows rows) { return sampler.sample(cuda(logits), rows); }

    @Override
    public void close() {
        dev.makeCurrent();
        dev.synchronize();
        kvHost.close();
        peerKv.close();
        kvCaches.closeGrowing();
        weights.close();
        if (ownsDevice) dev.close();
    }

    // ---- helpers ----

    /** The weight's device pointer; the first use after a load makes compute wait for its arrival. */
    private CUdeviceptr use(Weight weight) { return weights.use(cuda(weight)); }

    private static CudaTensor cuda(Tensor t) {
        if (t instanceof CudaTensor c) return c;
        throw new IllegalArgumentException("not a CUDA tensor: " + t);
    }

    private static CudaWeight cuda(Weight w) {
        if (w instanceof CudaWeight c) return c;
        throw new IllegalArgumentException("not a CUDA weight: " + w);
    }

    private static CudaStepInputs cuda(StepInputs s) {
        if (s instanceof CudaStepInputs c) return c;
        throw new IllegalArgumentException("not CUDA step inputs: " + s);
    }
}
