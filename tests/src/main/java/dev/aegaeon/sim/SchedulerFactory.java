package dev.aegaeon.sim;

import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SchedulerListener;

import java.util.List;

/** A serving policy for the simulator: its instance layout and how to build its scheduler. */
public interface SchedulerFactory {
    String name();

    /** Instances of the layout (ids 0..n-1). */
    List<InstanceSpec> instances();

    Scheduler create(Clock clock, CostModel cost, Trace trace, SchedulerListener listener);

    default int gpus() {
        return instances().stream().mapToInt(InstanceSpec::gpus).sum();
    }
}
