package dev.aegaeon.runtime.engine;

/**
 * The answer to "give these sequences room for their next tokens": granted, or no room (nothing was
 * allocated; the caller may wait, preempt or swap out and retry).
 */
public sealed interface KvReservation {

    record Granted(int blocksAllocated) implements KvReservation {}

    record NoRoom(int blocksNeeded, int blocksFree) implements KvReservation {}

    default boolean granted() { return this instanceof Granted; }
}
