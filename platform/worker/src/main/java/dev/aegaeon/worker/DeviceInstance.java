package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.scheduler.InstanceSpec;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One device of the pool, one scheduler instance: its backend, the compute thread that alone runs
 * its steps, KV swaps and request finalisation, and the copy thread that loads weights onto it.
 * Every task binds its thread to the backend first ({@link Backend#bindThread}: the CUDA context of
 * this GPU), so a device's work never runs in another device's context. Busy time is the wall time
 * of compute tasks (steps and swaps), the device's share of work for the busy-share figures.
 */
final class DeviceInstance {
    private static final System.Logger LOG = System.getLogger(DeviceInstance.class.getName());

    final InstanceSpec spec;
    final Backend backend;
    private final ExecutorService compute;
    private final ExecutorService copy;
    private final AtomicLong busyNanos = new AtomicLong();
    private final Object freesLock = new Object();
    private int pendingFrees;

    DeviceInstance(InstanceSpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
        this.compute = Executors.newSingleThreadExecutor(r -> daemon(r, "aegaeon-compute-" + spec.id()));
        this.copy = Executors.newSingleThreadExecutor(r -> daemon(r, "aegaeon-copy-" + spec.id()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    int id() { return spec.id(); }

    /** Queues work on the compute thread, in order; its wall time counts as busy. */
    void compute(Runnable task) {
        compute.execute(() -> {
            long t0 = System.nanoTime();
            try {
                backend.bindThread();
                task.run();
            } finally {
                busyNanos.addAndGet(System.nanoTime() - t0);
            }
        });
    }

    /** Queues a weight load on the copy thread (overlaps this device's compute). */
    void copy(Runnable task) {
        copy.execute(() -> {
            backend.bindThread();
            task.run();
        });
    }

    /**
     * Queues the freeing of an evicted model's memory on the copy thread, in order with the loads.
     * Until it has run, {@link #awaitFrees} tells a step that finds the device out of memory that
     * memory the scheduler already counts as free is on its way back.
     */
    void free(Runnable task) {
        synchronized (freesLock) {
            pendingFrees++;
        }
        copy(() -> {
            try {
                task.run();
            } finally {
                synchronized (freesLock) {
                    pendingFrees--;
                    freesLock.notifyAll();
                }
            }
        });
    }

    /** Frees queued and not yet done on this device. */
    int pendingFrees() {
        synchronized (freesLock) {
            return pendingFrees;
        }
    }

    /** Waits up to {@code timeoutMillis} for the frees queued now to finish; true when none is left. */
    boolean awaitFrees(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (freesLock) {
            while (pendingFrees > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return false;
                freesLock.wait(left);
            }
            return true;
        }
    }

    double busySeconds() { return busyNanos.get() / 1e9; }

    /** Runs what is queued, then stops both threads (bounded wait). */
    void stop() {
        compute.shutdown();
        copy.shutdown();
        try {
            if (!compute.awaitTermination(30, TimeUnit.SECONDS)) compute.shutdownNow();
            if (!copy.awaitTermination(30, TimeUnit.SECONDS)) copy.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Frees the device; after {@link #stop} and after every engine on it is closed. */
    void closeBackend() {
        try {
            backend.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing device " + spec.id() + " failed: " + e.getMessage(), e);
        }
    }

    /** What the pool reports about this device. */
    InstanceStats stats() { return new InstanceStats(spec.id(), spec.role(), backend.name(), busySeconds()); }
}
