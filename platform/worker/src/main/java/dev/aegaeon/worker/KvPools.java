package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.SharedKvPages;
import dev.aegaeon.scheduler.KvPaging;
import java.util.List;
import java.util.Optional;

/**
 * Where the pool's engines keep their KV, and how the scheduler counts it.
 *
 * <p>Shared pages: where {@link PoolOptions#kvPageBytes()} > 0, every device's KV cache grows with
 * use and KV is not handed off by peer copy, each device has one {@link SharedKvPages} that every
 * model's engine there draws its blocks from, a block being one page that holds as many of the
 * model's tokens as fit. (Caches grow with use on the CPU, and on CUDA with
 * {@code aegaeon.cuda.deviceMemory=ON_DEMAND}, the default where the GPU takes virtual memory, which maps a block's memory when the engine takes it
 * and unmaps it when freed, from the budget the weights share.) Pages are taken as tokens are
 * produced. The pool is what the device's memory leaves beside the weights the scheduler counts
 * ({@link ModelRuntime#countWeights}), and the scheduler reserves KV in the same whole pages
 * ({@link KvPaging}) within the same memory, so an engine never finds no page where the scheduler
 * expects one: when memory runs short the scheduler swaps sequences out first. (A detached peer
 * hand-off keeps its pages on the prefill device after the scheduler counted them free, hence no
 * shared pages with peer hand-offs; a colocated pool hands nothing off, so the peer hand-off
 * setting, on by default, does not concern it.)
 *
 * <p>Fixed pools otherwise (CUDA with its memory as one allocation holds a KV cache whole): each
 * engine owns {@link PoolOptions#kvTokensPerModel} positions ({@link PoolOptions#LEGACY_KV_TOKENS_PER_MODEL}
 * when 0), KV is counted token by token, and {@link KvAdmission} keeps a model's requests within
 * its pool. On shared pages the gate holds only a model under a cap.
 */
final class KvPools {
    /** One model's engine settings and the scheduler's count of its KV. */
    record ModelKv(EngineOptions engine, KvPaging paging) {}

    private final PoolOptions options;
    private final List<SharedKvPages> devicePages;

    KvPools(PoolOptions options, List<DeviceInstance> devices) {
        this.options = options;
        boolean grows = devices.stream().allMatch(d -> d.backend.kvCacheGrowsWithUse());
        // Only a pool that hands KV off from prefill to decode devices has peer hand-offs to fear.
        boolean peerHandoffs = options.peerHandoff() && options.devices().mode().splitsPrefill();
        this.devicePages = options.kvPageBytes() == 0 || !grows || peerHandoffs ? List.of()
                : devices.stream().map(d -> SharedKvPages.forBytes(options.memoryBytes(), options.kvPageBytes())).toList();
    }

    /** Each device's shared pages in instance order; empty with fixed pools. */
    List<SharedKvPages> devicePages() { return devicePages; }

    /** Device {@code instance}'s shared pages; empty with fixed pools. */
    Optional<SharedKvPages> device(int instance) {
        return devicePages.isEmpty() ? Optional.empty() : Optional.of(devicePages.get(instance));
    }

    /** The engine settings and KV paging of a model whose KV takes {@code kvBytesPerToken}. */
    ModelKv forModel(long kvBytesPerToken) {
        if (devicePages.isEmpty()) {
            int tokens = options.kvTokenCap().orElse(PoolOptions.LEGACY_KV_TOKENS_PER_MODEL);
            int blocks = (tokens + options.blockSize() - 1) / options.blockSize() + 1;
            return new ModelKv(new EngineOptions(options.blockSize(), blocks, null), KvPaging.perToken(kvBytesPerToken));
        }
        SharedKvPages pages = devicePages.getFirst();
        KvPaging paging = KvPaging.pages(pages.pageBytes(), kvBytesPerToken, SharedKvPages.MAX_TOKENS_PER_PAGE);
        int tokensPerPage = paging.tokensPerPage();
        // An engine may address every page of its device, or its cap's worth (and one page more, as a fixed pool has).
        long blocks = options.kvTokenCap().isEmpty() ? pages.pageCount()
                : Math.min(pages.pageCount(), (options.kvTokensPerModel() + tokensPerPage - 1L) / tokensPerPage + 1);
        return new ModelKv(new EngineOptions(tokensPerPage, (int) Math.max(2, blocks), null), paging);
    }

    /** The blocks {@link KvAdmission} holds a model's admitted requests to: its pool, or unbounded on uncapped shared pages. */
    int admissionBlocks(ModelRuntime m) {
        return devicePages.isEmpty() || options.kvTokenCap().isPresent() ? m.kvBlocks() : Integer.MAX_VALUE;
    }
}
