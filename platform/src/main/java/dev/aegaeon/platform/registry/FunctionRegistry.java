package dev.aegaeon.platform.registry;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.SpecValidationException;

/**
 * The registered functions: the durable store is the truth, this map its in-memory view.
 * Every change is written to disk first and applied to the runtime (via {@code onChange}) only
 * after the write succeeded, so an acknowledged registration is never lost and a failed write
 * changes nothing. Every spec passes the admission check first (model paths inside the configured
 * roots) and is stored with its API key hashed, never in the clear. Changes are serialised; reads
 * are lock-free.
 */
public final class FunctionRegistry {
    /** A registration as the platform tracks it. */
    public record Registration(FunctionSpec spec, Instant created) {}

    /** Applies changes to the runtime (invocation service, backend, metrics). */
    public interface Listener {
        void registered(FunctionSpec spec);

        void unregistered(String name);
    }

    private static final Logger LOG = Logger.getLogger(FunctionRegistry.class);

    private final RegistrationStore store;
    private final ModelRoots roots;
    private final Listener listener;
    private final Map<String, Registration> functions = new ConcurrentSkipListMap<>();

    public FunctionRegistry(RegistrationStore store, ModelRoots roots, Listener listener) {
        this.store = store;
        this.roots = roots;
        this.listener = listener;
    }

    /**
     * Loads every stored registration and applies it; returns how many. One whose model path is no
     * longer inside the roots is skipped (and kept on disk); one with a key still in the clear is
     * stored again, hashed.
     */
    public synchronized int load() throws IOException {
        int loaded = 0;
        for (FunctionSpec stored : store.loadAll()) {
            FunctionSpec s;
            try {
                s = admit(stored);
            } catch (SpecValidationException e) {
                LOG.errorf("not loading the stored function '%s': %s", stored.name(), e.getMessage());
                continue;
            }
            if (!s.equals(stored)) store.save(s);
            functions.put(s.name(), new Registration(s, Instant.now()));
            listener.registered(s);
            loaded++;
        }
        return loaded;
    }

    /** The spec as it may be stored: model path checked against the roots, API key hashed. */
    private FunctionSpec admit(FunctionSpec spec) {
        roots.check(spec);
        return spec.withHashedApiKey();
    }

    /**
     * @return false (and changes nothing) when a function of that name exists
     * @throws SpecValidationException when the spec may not be registered here (nothing changes)
     */
    public synchronized boolean create(FunctionSpec spec) throws IOException {
        if (functions.containsKey(spec.name())) return false;
        spec = admit(spec);
        store.save(spec);
        functions.put(spec.name(), new Registration(spec, Instant.now()));
        listener.registered(spec);
        return true;
    }

    /**
     * @return false (and changes nothing) when no function of that name exists
     * @throws SpecValidationException when the spec may not be registered here (nothing changes)
     */
    public synchronized boolean update(FunctionSpec spec) throws IOException {
        Registration old = functions.get(spec.name());
        if (old == null) return false;
        spec = admit(spec);
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
