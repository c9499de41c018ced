package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.cuda.kernels.AttentionOps;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kv.CudaKvCache;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The backend's KV write and attention ops on the compute stream. Prefill attention reads the keys
 * and values from the KV cache, where the {@link #writeKv} of the same step just stored them (as
 * bf16), so prefill and decode attend over identical keys; the Backend interface passes no cache to
 * prefill attention, hence the remembered last write (the engine's forward pass always writes the
 * layer's K and V right before its attention).
 */
final class CudaAttention {
    private record KvWrite(CudaKvCache cache, int layer, StepInputs step) {}

    private final CudaOps ops;
    private final CUstream compute;
    private final Bf16Operands bf16;
    private final Bf16OnlyInputs bf16OnlyInputs;
    /** Holds the split decode attention's partials between its two passes (ops on one stream, in order). */
    private final CUdeviceptr workspace;
    private KvWrite lastWrite;

    CudaAttention(CudaOps ops, CUstream compute, Bf16Operands bf16, Bf16OnlyInputs bf16OnlyInputs, CUdeviceptr workspace) {
        this.ops = ops;
        this.compute = compute;
        this.bf16 = bf16;
        this.bf16OnlyInputs = bf16OnlyInputs;
        this.workspace = workspace;
    }

    void writeKv(CudaTensor k, CudaTensor v, CudaKvCache c, int layer, StepInputs step, CudaStepInputs s) {
        KvCacheShape sh = c.shape();
        ops.kvWrite(compute, k.ptr(), v.ptr(), sh.kvHeads() * sh.headDim(), c.region.ptr(), c.blockElems(),
                layer, sh.blockSize(), s.slots, s.layout().numTokens());
        lastWrite = new KvWrite(c, layer, step);
    }

    /**
     * Causal attention of the step's prompt rows over the cache that {@link #writeKv} of this step
     * wrote; into o's bf16 operand alone where only products read o and the bf16-output kernel is there
     * ({@link Bf16OnlyInputs}).
     */
    void prefill(CudaTensor qi, int qHeads, int kvHeads, StepInputs step, CudaStepInputs s, CudaTensor o) {
        if (lastWrite == null || lastWrite.step() != step) {
            throw new IllegalStateException("CUDA prefill attention reads the KV cache: call writeKv for this step first");
        }
        CudaKvCache c = lastWrite.cache();
        StepLayout l = s.layout();
        KvCacheShape sh = c.shape();
        int hd = sh.headDim();
        float scale = (float) (1 / Math.sqrt(hd));
        if (!AttentionOps.hasTensorCorePrefill(hd)) {
            ops.attention().pagedAttention(compute, qi.ptr(), qi.cols(), o.writePtr(), o.cols(), c.region.ptr(), c.blockElems(),
                    lastWrite.layer(), sh.blockSize(), qHeads, kvHeads, hd, s.tokenSeq, s.positions, s.blockTables,
                    s.tableStride, l.numTokens(), scale);
            o.written();
            return;
        }
        boolean bf16Only = bf16OnlyInputs.appliesTo(o, l.numTokens()) && ops.attention().prefillKernels().takesMmaBf16Out(hd);
        CUdeviceptr outBase = bf16Only ? bf16.shadow(o.storage) : o.writePtr();
        long outElemBytes = bf16Only ? 2L : 4L;
        for (int seq = 0; seq < l.numSeqs(); seq++) {
            int first = l.queryStart()[seq], n = l.queryStart()[seq + 1] - first;
            if (n == 0) continue;
            ops.attention().prefillAttention(compute, qi.ptr().withByteOffset(4L * first * qi.cols()), qi.cols(),
                    outBase.withByteOffset(outElemBytes * first * o.cols()), bf16Only, o.cols(), c.region.ptr(), c.blockElems(),
                    lastWrite.layer(), sh.blockSize(), qHeads, kvHeads, hd,
                    s.blockTables.withByteOffset(4L * seq * s.tableStride), n, l.contextLengths()[seq] - n, scale);
        }
        if (bf16Only) bf16OnlyInputs.wrote(o, l.numTokens());
        else o.written();
    }

    void decode(CudaTensor qi, CudaKvCache c, int layer, int qHeads, int kvHeads, CudaStepInputs s, CudaTensor o) {
        KvCacheShape sh = c.shape();
        int maxContext = 0;
        for (int len : s.layout().contextLengths()) maxContext = Math.max(maxContext, len);
        ops.attention().decodeAttention(compute, qi.ptr(), qi.cols(), o.writePtr(), o.cols(), c.region.ptr(), c.blockElems(), layer,
                sh.blockSize(), qHeads, kvHeads, sh.headDim(), s.decodeSeq, s.decodeLast, s.blockTables,
                s.tableStride, s.layout().numSeqs(), maxContext, (float) (1 / Math.sqrt(sh.headDim())), workspace);
        o.written();
    }
}
