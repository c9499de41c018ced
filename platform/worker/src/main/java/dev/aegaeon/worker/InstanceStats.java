package dev.aegaeon.worker;

import dev.aegaeon.scheduler.InstanceSpec;

/**
 * One device of the pool.
 *
 * @param instance    the scheduler's instance id (0..n-1, also the device's position in the pool)
 * @param role        PREFILL, DECODE or COLOCATED
 * @param backend     the backend's name ("cpu", "cuda")
 * @param busySeconds wall seconds its compute thread spent on steps and KV swaps, ever
 */
public record InstanceStats(int instance, InstanceSpec.Role role, String backend, double busySeconds) {}
