package dev.aegaeon.scheduler;

import java.util.Set;

/**
 * One schedulable unit: a GPU, or a tensor-parallel group of {@code gpus} GPUs that runs a model
 * as one. {@code memoryBytes} is what the scheduler may fill with weights and KV (all GPUs of the
 * group together). {@code pinnedModels} are loaded at start and never evicted; a non-empty
 * {@code servesOnly} restricts the instance to those models (static placement baselines).
 */
public record InstanceSpec(int id, Role role, int gpus, long memoryBytes, Set<String> pinnedModels, Set<String> servesOnly) {

    public enum Role {
        /** Runs prefill groups only; hands KV to a decode instance through host memory. */
        PREFILL,
        /** Runs decode batches only, in weighted round-robin. */
        DECODE,
        /** Runs both phases on one device (see {@link AegaeonScheduler} for the interleaving). */
        COLOCATED
    }

    public InstanceSpec {
        if (role == null) throw new IllegalArgumentException("instance " + id + ": role must not be null");
        if (gpus <= 0) throw new IllegalArgumentException("instance " + id + ": gpus must be positive");
        if (memoryBytes <= 0) throw new IllegalArgumentException("instance " + id + ": memoryBytes must be positive");
        pinnedModels = Set.copyOf(pinnedModels == null ? Set.of() : pinnedModels);
        servesOnly = Set.copyOf(servesOnly == null ? Set.of() : servesOnly);
    }

    public InstanceSpec(int id, Role role, int gpus, long memoryBytes) {
        this(id, role, gpus, memoryBytes, Set.of(), Set.of());
    }

    public boolean mayServe(String model) {
        return servesOnly.isEmpty() || servesOnly.contains(model);
    }
}
