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
    public static Choice choose(Optional<String> name) {
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
