package dev.aegaeon.scheduler;

import java.util.List;

/**
 * A {@link Scheduler} a live worker can run: models come and go at run time and idle ones are
 * scaled to zero on the worker's say. Same threading as {@link Scheduler}: one thread feeds every
 * call, and the decisions each call returns go to the {@link Executor} in order.
 */
public interface PoolScheduler extends Scheduler {

    /**
     * Makes a model known (a function registered at run time). The same spec again is a no-op; a
     * different spec under a known name is refused with {@link IllegalArgumentException}.
     */
    void addModel(ModelSpec model);

    /**
     * Keep-warm (minScale 1): loads the model where the policy allows it without evicting anything.
     *
     * @throws IllegalArgumentException for an unknown model
     */
    List<Decision> preload(String model);

    /**
     * Scale-to-zero: drops the model's weights wherever it is idle (nothing running, queued or
     * loading for it). Never ends or moves a request.
     */
    List<Decision> evictIdle(String model);

    /**
     * Requests the instance has yet to serve: queued for its prefill, members of its decode round
     * (KV on the device, in host memory or in flight) or, for policies that place a request only when
     * an instance frees up, waiting for any instance that may serve them. A pure query; with work,
     * a live scheduler always has a decision outstanding on the instance or issues one soon, so a
     * watchdog may read "work and no activity for long" as a stall.
     *
     * @throws IllegalArgumentException for an unknown instance
     */
    int workOn(int instance);
}
