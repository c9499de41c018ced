package dev.aegaeon.runtime.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds backends through {@link BackendProvider} services and picks one by name or by priority. */
public final class Backends {
    private Backends() {}

    /** A chosen backend and, for the record, why better-ranked ones were passed over. */
    public record Choice(BackendProvider provider, List<String> skipped) {
        public String describe() {
            return provider.name() + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")");
        }
    }

    /**
     * A backend name with an optional device ordinal, as {@code "cuda:1"} or {@code "cpu"} (ordinal 0).
     * Parsed strictly so a typo fails at start with its reason, not later on a device.
     */
    public record DeviceSpec(String backend, int ordinal) {
        public DeviceSpec {
            if (backend == null || backend.isBlank()) throw new IllegalArgumentException("backend name is empty");
            if (ordinal < 0) throw new IllegalArgumentException("device ordinal must be >= 0, got " + ordinal);
        }

        public static DeviceSpec parse(String spec) {
            if (spec == null) throw new IllegalArgumentException("device is null");
            int colon = spec.indexOf(':');
            if (colon < 0) return new DeviceSpec(spec.strip(), 0);
            String ordinal = spec.substring(colon + 1).strip();
            try {
                return new DeviceSpec(spec.substring(0, colon).strip(), Integer.parseInt(ordinal));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + spec + "': '" + ordinal + "' is not a device ordinal");
            }
        }

        @Override
        public String toString() { return backend + ":" + ordinal; }
    }

    /** Opens a backend on one device, e.g. {@code open("cuda:1")}; the backend must be usable here. */
    public static Backend open(String spec) {
        DeviceSpec d = DeviceSpec.parse(spec);
        return choose(Optional.of(d.backend())).provider().create(d.ordinal());
    }

    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) all.add(p);
        all.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return all;
    }

    /**
     * The backend called {@code name}, or the highest-priority usable one when {@code name} is empty.
     *
     * @throws IllegalArgumentException naming the reason when the requested backend is unknown or unusable
     */
    public static Choice choose(Optional<String> requested) {
        Optional<String> name = requested.map(n -> n.contains(":") ? DeviceSpec.parse(n).backend() : n);
        List<BackendProvider> all = providers();
        if (name.isPresent()) {
            BackendProvider p = all.stream().filter(b -> b.name().equals(name.get())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown backend '" + name.get() + "'; this build has: "
                            + String.join(", ", all.stream().map(BackendProvider::name).toList())
                            + (name.get().equals("cuda") ? " (the CUDA backend is not part of this build)" : "")));
            Optional<String> reason = safeReason(p);
            if (reason.isPresent()) throw new IllegalArgumentException("backend " + p.name() + " is unavailable: " + reason.get());
            return new Choice(p, List.of());
        }
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : all) {
            Optional<String> reason = safeReason(p);
            if (reason.isEmpty()) return new Choice(p, skipped);
            skipped.add(p.name() + " unavailable: " + reason.get());
        }
        throw new IllegalArgumentException("no usable backend: " + String.join("; ", skipped));
    }

    private static Optional<String> safeReason(BackendProvider p) {
        try {
            return p.unavailableReason();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of(e.toString());
        }
    }
}
