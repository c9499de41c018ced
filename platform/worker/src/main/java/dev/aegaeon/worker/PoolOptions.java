package dev.aegaeon.worker;

import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.SchedulerConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link ModelPool} is built.
 *
 * @param backend          backend name ("cpu", "cuda"); empty = the best usable one (gpu-runtime's Backends)
 * @param memoryBytes      the device memory the scheduler may fill with weights and KV
 * @param blockSize        KV block size in tokens
 * @param kvTokensPerModel an optional cap on the KV positions one model's requests may hold on a device
 *                         (also the longest request); 0 = no cap. Where the backend's KV cache grows with
 *                         use (CPU), every model draws on one page pool per device that the scheduler
 *                         fills as tokens are produced, so there is nothing to size. Where it does not
 *                         (CUDA), each engine still owns a fixed pool of this many positions,
 *                         {@link #LEGACY_KV_TOKENS_PER_MODEL} when 0
 * @param scheduler        scheduler tunables
 * @param clock            seconds, monotonic: the scheduler's and the idle decay's time (tests inject one)
 * @param tickInterval     how often idle decay runs by itself; zero = only when {@link ModelPool#tick()} is called
 * @param devices          the devices the pool spans and their roles; {@code memoryBytes} applies to each.
 *                         With a backend named with an ordinal ({@code cuda:1}) the devices start there
 * @param policy           which scheduler runs the devices (request-level scaling reads only
 *                         {@code scheduler.maxDecodeBatch()} of the tunables)
 * @param peerHandoff      disaggregated hand-offs copy the KV device to device (peer copy on CUDA)
 *                         instead of through host memory: the prefill device detaches the blocks and
 *                         the decode device copies and frees them; the scheduler's decisions are the
 *                         same either way (false in {@link #defaults()}; the platform's
 *                         {@code aegaeon.pool.peer-handoff} defaults to true since it ran on two GPUs)
 * @param stallAfter       an instance with requests to serve and no decision or completion for
 *                         longer than this is reported as stalled (one warning, counted in
 *                         {@link PoolStats#stalls()}); checked at every tick
 * @param hostMemoryBytes  the host memory the registered models' weight images may take together
 *                         (each distinct image counted once); a registration past it is refused.
 *                         Default {@link #defaultHostMemoryBytes()}
 * @param kvPageBytes      the size of one page of a device's shared KV pool: every model's KV block is
 *                         one page, holding as many of its tokens as fit (default {@link #DEFAULT_KV_PAGE_BYTES}).
 *                         0 turns the shared pool off: each engine owns a fixed pool of
 *                         {@code kvTokensPerModel} ({@link #LEGACY_KV_TOKENS_PER_MODEL} when 0)
 * @param kvSwapBytes      host memory per device for KV swapped out of it (as vLLM's {@code --swap-space},
 *                         default {@link #DEFAULT_KV_SWAP_BYTES}); a swap-out past it drops the KV instead and
 *                         computes it again at swap-in (recompute preemption). 0: always recompute
 */
public record PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                          SchedulerConfig scheduler, Clock clock, Duration tickInterval, DeviceLayout devices,
                          PoolPolicy policy, boolean peerHandoff, Duration stallAfter,
                          long hostMemoryBytes, long kvPageBytes, long kvSwapBytes) {
    /** {@link dev.aegaeon.scheduler.KvPaging#DEFAULT_PAGE_BYTES}, which the simulator shares. */
    public static final long DEFAULT_KV_PAGE_BYTES = dev.aegaeon.scheduler.KvPaging.DEFAULT_PAGE_BYTES;

    /** 4 GiB per device, vLLM's default swap space. */
    public static final long DEFAULT_KV_SWAP_BYTES = 4L << 30;

    /** The per-engine pool size a backend without growing KV caches gets when no cap is set. */
    public static final int LEGACY_KV_TOKENS_PER_MODEL = 8192;

    /** Pages of {@link #DEFAULT_KV_PAGE_BYTES}. */
    public PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                       SchedulerConfig scheduler, Clock clock, Duration tickInterval, DeviceLayout devices,
                       PoolPolicy policy, boolean peerHandoff, Duration stallAfter, long hostMemoryBytes) {
        this(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff,
                stallAfter, hostMemoryBytes, DEFAULT_KV_PAGE_BYTES, DEFAULT_KV_SWAP_BYTES);
    }

    /** Stalls reported after {@link SchedulerLoop#DEFAULT_STALL_SECONDS}. */
    public PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                       SchedulerConfig scheduler, Clock clock, Duration tickInterval, DeviceLayout devices,
                       PoolPolicy policy, boolean peerHandoff) {
        this(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff,
                Duration.ofMillis((long) (SchedulerLoop.DEFAULT_STALL_SECONDS * 1000)), defaultHostMemoryBytes());
    }

    /** Hand-offs through host memory. */
    public PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                       SchedulerConfig scheduler, Clock clock, Duration tickInterval, DeviceLayout devices,
                       PoolPolicy policy) {
        this(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, false);
    }

    /** One colocated device, our scheduler, as before devices and policies were configurable. */
    public PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                       SchedulerConfig scheduler, Clock clock, Duration tickInterval) {
        this(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, DeviceLayout.single());
    }

    /** Our scheduler over {@code devices}. */
    public PoolOptions(Optional<String> backend, long memoryBytes, int blockSize, int kvTokensPerModel,
                       SchedulerConfig scheduler, Clock clock, Duration tickInterval, DeviceLayout devices) {
        this(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, PoolPolicy.AEGAEON);
    }

    public PoolOptions {
        if (devices == null) throw new IllegalArgumentException("devices are required (DeviceLayout.single() for one)");
        if (policy == null) throw new IllegalArgumentException("policy is required");
        backend = backend == null ? Optional.empty() : backend;
        if (memoryBytes <= 0) throw new IllegalArgumentException("memoryBytes must be positive");
        if (blockSize <= 0) throw new IllegalArgumentException("blockSize must be positive");
        if (kvTokensPerModel < 0 || (kvTokensPerModel != 0 && kvTokensPerModel < blockSize)) {
            throw new IllegalArgumentException("kvTokensPerModel must be 0 (no cap) or at least one block");
        }
        if (kvSwapBytes < 0) throw new IllegalArgumentException("kvSwapBytes must be >= 0 (0: recompute instead of swapping KV to host)");
        if (kvPageBytes < 0) throw new IllegalArgumentException("kvPageBytes must be >= 0 (0: a fixed KV pool per model)");
        if (scheduler == null) throw new IllegalArgumentException("scheduler config is required");
        if (clock == null) throw new IllegalArgumentException("clock is required");
        if (tickInterval == null || tickInterval.isNegative()) throw new IllegalArgumentException("tickInterval must be >= 0");
        if (stallAfter == null || stallAfter.isNegative() || stallAfter.isZero()) throw new IllegalArgumentException("stallAfter must be positive");
        if (hostMemoryBytes <= 0) throw new IllegalArgumentException("hostMemoryBytes must be positive");
    }

    /**
     * Three quarters of the machine's physical memory (the JVM heap, the OS and the KV swap space
     * need the rest); the JVM's maximum heap where the physical size cannot be read.
     */
    public static long defaultHostMemoryBytes() {
        long physical = 0;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            physical = os.getTotalMemorySize();
        return physical > 0 ? physical / 4 * 3 : Runtime.getRuntime().maxMemory();
    }

    /** The system clock in seconds (monotonic). */
    public static final Clock SYSTEM_CLOCK = () -> System.nanoTime() / 1e9;

    /** The cap on one model's KV positions per device, if any ({@link #kvTokensPerModel} 0 = none). */
    public java.util.OptionalInt kvTokenCap() {
        return kvTokensPerModel == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(kvTokensPerModel);
    }

    /** Best backend, 8 GiB, 16-token blocks, no per-model KV cap, 1 MiB KV pages, our scheduler defaults, ticks every 250 ms. */
    public static PoolOptions defaults() {
        return new PoolOptions(Optional.empty(), 8L << 30, 16, 0, SchedulerConfig.defaults(), SYSTEM_CLOCK,
                Duration.ofMillis(250));
    }

    public PoolOptions withBackend(String name) {
        return new PoolOptions(Optional.of(name), memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withMemoryBytes(long bytes) {
        return new PoolOptions(backend, bytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withKvTokensPerModel(int tokens) {
        return new PoolOptions(backend, memoryBytes, blockSize, tokens, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withScheduler(SchedulerConfig config) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, config, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withClock(Clock c, Duration tick) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, c, tick, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withDevices(DeviceLayout layout) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, layout, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withPolicy(PoolPolicy p) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, p, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withPeerHandoff(boolean on) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, on, stallAfter, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withStallAfter(Duration bound) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, bound, hostMemoryBytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withHostMemoryBytes(long bytes) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, bytes, kvPageBytes, kvSwapBytes);
    }

    public PoolOptions withKvPageBytes(long bytes) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, bytes, kvSwapBytes);
    }

    public PoolOptions withKvSwapBytes(long bytes) {
        return new PoolOptions(backend, memoryBytes, blockSize, kvTokensPerModel, scheduler, clock, tickInterval, devices, policy, peerHandoff, stallAfter, hostMemoryBytes, kvPageBytes, bytes);
    }
}
