package dev.aegaeon.worker;

import dev.aegaeon.scheduler.InstanceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which devices a {@link ModelPool} spans and what each does. Every device is one scheduler
 * instance with its own backend, compute thread and memory budget ({@link PoolOptions#memoryBytes()}
 * each). COLOCATED: every device prefills and decodes. DISAGGREGATED: the first
 * {@code prefillDevices} devices only prefill, the others only decode, and each request's KV is
 * handed from its prefill device to its decode device through host memory. HYBRID: the first
 * {@code prefillDevices} devices only prefill, the others decode what those hand off and also
 * prefill (then decode) requests themselves where the planner finds that sooner than the prefill
 * devices' queue and switch, so a request whose model is resident on a decoding device need not
 * wait for a load (the simulator's {@code --layout hybrid}; with a slow loader it beat both other
 * layouts in e1).
 *
 * @param devices        how many devices; 0 = every device of the backend on this host
 *                       (the driver's count for CUDA; the CPU counts as one, but a positive count on
 *                       the CPU simulates that many independent devices)
 * @param mode           colocated, disaggregated or hybrid
 * @param prefillDevices devices that only prefill in disaggregated and hybrid mode (at least one, and
 *                       at least one device must be left to decode); ignored when colocated
 */
public record DeviceLayout(int devices, Mode mode, int prefillDevices) {

    public enum Mode {
        COLOCATED, DISAGGREGATED, HYBRID;

        /** "colocated" / "disaggregated" / "hybrid", any case; a clear error otherwise. */
        public static Mode parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("pool mode must be colocated, disaggregated or hybrid, got '" + s + "'");
            }
        }

        /** True when some devices only prefill and hand KV on. */
        public boolean splitsPrefill() { return this != COLOCATED; }
    }

    public DeviceLayout {
        if (devices < 0) throw new IllegalArgumentException("devices must be >= 0 (0 = all), got " + devices);
        if (mode == null) throw new IllegalArgumentException("mode is required");
        if (prefillDevices < 1) throw new IllegalArgumentException("prefill devices must be >= 1, got " + prefillDevices);
        String name = mode.name().toLowerCase(Locale.ROOT);
        if (mode.splitsPrefill() && devices == 1) {
            throw new IllegalArgumentException(name + " mode needs at least 2 devices (one prefills, one decodes)");
        }
        if (mode.splitsPrefill() && devices != 0 && prefillDevices >= devices) {
            throw new IllegalArgumentException(name + " mode with " + devices + " devices leaves none to decode when "
                    + prefillDevices + " prefill");
        }
    }

    /** Today's default: one colocated device. */
    public static DeviceLayout single() { return new DeviceLayout(1, Mode.COLOCATED, 1); }

    public static DeviceLayout colocated(int devices) { return new DeviceLayout(devices, Mode.COLOCATED, 1); }

    public static DeviceLayout disaggregated(int devices, int prefillDevices) {
        return new DeviceLayout(devices, Mode.DISAGGREGATED, prefillDevices);
    }

    public static DeviceLayout hybrid(int devices, int prefillDevices) {
        return new DeviceLayout(devices, Mode.HYBRID, prefillDevices);
    }

    /** The device count to open given how many the backend reports on this host. */
    public int resolve(int available) {
        int n = devices == 0 ? available : devices;
        if (n < 1) throw new IllegalArgumentException("the backend reports no device to run on");
        if (mode.splitsPrefill() && n < prefillDevices + 1) {
            throw new IllegalArgumentException(mode.name().toLowerCase(Locale.ROOT) + " mode with " + prefillDevices + " prefill device(s) needs at least "
                    + (prefillDevices + 1) + " devices; there are " + n);
        }
        return n;
    }

    /** The scheduler's instances for {@code count} devices of {@code memoryBytes} each, ids 0..count-1. */
    public List<InstanceSpec> instances(int count, long memoryBytes) {
        List<InstanceSpec> specs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            InstanceSpec.Role role = mode == Mode.COLOCATED ? InstanceSpec.Role.COLOCATED
                    : i < prefillDevices ? InstanceSpec.Role.PREFILL
                    : mode == Mode.HYBRID ? InstanceSpec.Role.COLOCATED : InstanceSpec.Role.DECODE;
            specs.add(new InstanceSpec(i, role, 1, memoryBytes));
        }
        return specs;
    }
}
