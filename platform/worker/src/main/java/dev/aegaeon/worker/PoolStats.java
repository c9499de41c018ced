package dev.aegaeon.worker;

/**
 * The pool's device-time counters, each monotonic since the pool started (but {@code kvSwapHostBytes}): read them before and
 * after a run and subtract. GPU busy share over a run = delta {@code busySeconds} / wall seconds.
 *
 * @param models          functions registered now
 * @param busySeconds     compute-thread seconds in prefill and decode steps
 * @param loadSeconds     seconds in loads that copied weights to the device (may overlap steps)
 * @param swapSeconds     compute-thread seconds swapping KV between device and host
 * @param freeSeconds     copy-thread seconds freeing evicted models' memory (in series with loads)
 * @param switches        loads that copied weights to the device (all models, ever)
 * @param kvSwapOuts      sequences whose KV was swapped out to host memory
 * @param openHostImages  weight images in host memory, each counted once however many models share it
 * @param stalls          times an instance with requests to serve went silent past {@link PoolOptions#stallAfter()}
 * @param kvRecomputes    swap-outs that dropped the KV to compute it again at swap-in (the host budget
 *                        for swapped KV, {@link PoolOptions#kvSwapBytes()}, was spent); part of {@code kvSwapOuts}
 * @param kvSwapHostBytes host bytes held now by swapped-out KV (a gauge, not monotonic)
 */
public record PoolStats(PoolPolicy policy, String backend, int models, double busySeconds, double loadSeconds,
                        double swapSeconds, double freeSeconds, long switches, long kvSwapOuts, int openHostImages, long stalls,
                        long kvRecomputes, long kvSwapHostBytes) {}
