package dev.aegaeon.platform.registry;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

import dev.aegaeon.functions.FunctionSpec;

/**
 * The registered functions: the durable store is the truth, this map its in-memory view.
 * Every change is written to disk first and applied to the runtime (via {@code onChange}) only
 * after the write succeeded, so an acknowledged registration is never lost and a failed write
 * changes nothing. Changes are serialised; reads are lock-free.
 */
public final class FunctionRegistry {
    /** A registration as the platform tracks it. */
    public record Registration(FunctionSpec spec, Instant created) {}

    /** Applies changes to the runtime (invocation service, backend, metrics). */
    public interface Listener {
        void registered(FunctionSpec spec);

        void unregistered(String name);
    }

    private final RegistrationStore store;
    private final Listener listener;
    private final Map<String, Registration> functions = new ConcurrentSkipListMap<>();

    public FunctionRegistry(RegistrationStore store, Listener listener) {
        this.store = store;
        this.listener = listener;
    }

    /** Loads every stored registration and applies it; returns how many. */
    public synchronized int load() throws IOException {
        List<FunctionSpec> specs = store.loadAll();
        for (FunctionSpec s : specs) {
            functions.put(s.name(), new Registration(s, Instant.now()));
            listener.registered(s);
        }
        return specs.size();
    }

    /** @return false (and changes nothing) when a function of that name exists */
    public synchronized boolean create(FunctionSpec spec) throws IOException {
        if (functions.containsKey(spec.name())) return false;
        store.save(spec);
        functions.put(spec.name(), new Registration(spec, Instant.now()));
        listener.registered(spec);
        return true;
    }

    /** @return false (and changes nothing) when no function of that name exists */
    public synchronized boolean update(FunctionSpec spec) throws IOException {
        Registration old = functions.get(spec.name());
        if (old == null) return false;
        store.save(spec);
        functions.put(spec.name(), new Registration(spec, old.created()));
        listener.registered(spec);
        return true;
    }

    public synchronized boolean delete(String name) throws IOException {
        if (!functions.containsKey(name)) return false;
        store.delete(name);
        functions.remove(name);
        listener.unregistered(name);
        return true;
    }

    public Optional<Registration> get(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    /** Sorted by name. */
    public Collection<Registration> all() {
        return List.copyOf(functions.values());
    }

    public void forEach(Consumer<Registration> action) {
        functions.values().forEach(action);
    }
}
