package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.BackendProvider;
import dev.aegaeon.runtime.backend.Backends;
import dev.aegaeon.scheduler.InstanceSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the pool's devices from its options: the backend by name (an ordinal in the name, as
 * {@code cuda:1}, is the first device), as many devices as {@link DeviceLayout} asks (0 = all the
 * backend reports), one independent backend per device with its role from the layout.
 */
final class PoolDevices {
    private PoolDevices() {}

    /** All or nothing: a device that fails to open closes the ones already open. */
    static List<DeviceInstance> open(PoolOptions options) {
        BackendProvider provider = Backends.choose(options.backend()).provider();
        int first = options.backend().map(n -> Backends.DeviceSpec.parse(n).ordinal()).orElse(0);
        DeviceLayout layout = options.devices();
        int available = provider.deviceCount() - (provider.name().equals("cpu") ? 0 : first);
        int count = layout.resolve(available);
        List<InstanceSpec> specs = layout.instances(count, options.memoryBytes());
        List<DeviceInstance> devices = new ArrayList<>(count);
        try {
            for (InstanceSpec spec : specs) {
                Backend backend = provider.create(first + spec.id());
                devices.add(new DeviceInstance(spec, backend));
                requireMemory(options, first + spec.id(), backend);
            }
        } catch (RuntimeException | Error e) {
            for (DeviceInstance d : devices) {
                d.stop();
                d.closeBackend();
            }
            throw e;
        }
        return List.copyOf(devices);
    }

    /**
     * The scheduler fills {@link PoolOptions#memoryBytes()} of each device with weights and KV: more
     * than the device holds would fail requests once it filled (or, with memory on demand, whenever
     * the device runs out first), so such a setting is refused at start.
     */
    private static void requireMemory(PoolOptions options, int ordinal, Backend backend) {
        var holds = backend.deviceMemoryBytes();
        if (holds.isPresent() && options.memoryBytes() > holds.getAsLong()) {
            throw new IllegalArgumentException("aegaeon.pool.memory-bytes is " + options.memoryBytes() + " but " + backend.name()
                    + " device " + ordinal + " holds " + holds.getAsLong() + " bytes for weights, workspaces and KV;"
                    + " set it to at most that, less a few GB for the step workspaces");
        }
    }
}
