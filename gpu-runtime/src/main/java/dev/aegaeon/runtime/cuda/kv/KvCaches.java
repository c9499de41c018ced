package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.memory.ChunkBudget;
import dev.aegaeon.runtime.cuda.memory.OnDemandSpan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;


/**
 * The KV caches allocated on one device and not yet freed, oldest first: each one a weight-pool
 * region, or where the device's memory is on demand and the engine asks for a growing cache, a span
 * of its own whose blocks are mapped as they are allocated ({@link #back}) and unmapped as they are
 * freed ({@link #unback}) from the budget the weights share.
 */
public final class KvCaches {
    private final CudaDevice dev;
    private final List<CudaKvCache> live = Collections.synchronizedList(new ArrayList<>());

    public KvCaches(CudaDevice dev) {
        this.dev = dev;
    }

    /** True when {@link #allocateGrowing} takes memory only for allocated blocks. */
    public boolean grows() { return dev.chunks().isPresent(); }

    /** A cache of {@code shape.numBlocks()} bf16 blocks from the weight pool. */
    public CudaKvCache allocate(KvCacheShape shape) {
        dev.makeCurrent();
        CudaKvCache c = new CudaKvCache(shape, dev.arena().allocateOrThrow(CudaKvCache.bytesFor(shape), "a KV cache of " + shape.numBlocks() + " blocks"));
        live.add(c);
        return c;
    }

    /** A cache that addresses {@code shape.numBlocks()} blocks and holds memory only for those backed; whole where memory is not on demand. */
    public CudaKvCache allocateGrowing(KvCacheShape shape) {
        if (dev.chunks().isEmpty()) return allocate(shape);
        ChunkBudget budget = dev.chunks().get();
        // Blocks are freed on the compute thread after their step; a swap-out has read them on the swap stream.
        OnDemandSpan span = new OnDemandSpan(budget, CudaKvCache.bytesFor(shape), dev::synchronizeComputeAndSwap);
        CudaKvCache c = CudaKvCache.growing(shape, span);
        live.add(c);
        return c;
    }

    /** Maps memory behind {@code blocks} of {@code c}; all or nothing. A fixed cache has it already. */
    public boolean back(CudaKvCache c, int[] blocks) {
        return c.span().map(span -> span.commit(offsets(c, blocks), c.blockBytes())).orElse(true);
    }

    /** Unmaps what {@link #back} mapped for {@code blocks}. */
    public void unback(CudaKvCache c, int[] blocks) {
        c.span().ifPresent(span -> span.decommit(offsets(c, blocks), c.blockBytes()));
    }

    private static long[] offsets(CudaKvCache c, int[] blocks) {
        long[] at = new long[blocks.length];
        for (int i = 0; i < blocks.length; i++) at[i] = blocks[i] * c.blockBytes();
        return at;
    }

    /** Returns {@code c}'s memory; the caller has synchronised with every op using it. */
    public void free(CudaKvCache c) {
        if (c.span().isPresent()) c.span().get().close();
        else dev.arena().free(c.region);
        live.remove(c);
    }

    /** Closes the spans of growing caches still live (at backend close; regions go with the arena). */
    public void closeGrowing() {
        for (CudaKvCache c : live()) if (c.span().isPresent()) free(c);
    }

    /** The live caches, oldest first. */
    public List<CudaKvCache> live() {
        synchronized (live) {
            return List.copyOf(live);
        }
    }
}
