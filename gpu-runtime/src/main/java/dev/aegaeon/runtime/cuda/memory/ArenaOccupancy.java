package dev.aegaeon.runtime.cuda.memory;

/**
 * A snapshot of a device's memory. Weight pool: bytes used/free and fragmentation (1 - largest free
 * range / free bytes). {@code deviceBytesInUse}: memory held on the device, the whole arena when it
 * is one allocation, else what is mapped now for weights and KV together.
 */
public record ArenaOccupancy(long arenaBytes, long weightPoolBytes, long weightUsedBytes,
                             long weightLargestFreeBytes, double weightFragmentation, long deviceBytesInUse) {}
