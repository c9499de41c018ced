package dev.aegaeon.worker;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.BackendProvider;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Optional;

/**
 * Backend "cpu-limited": CPU devices whose growing KV caches have memory behind at most
 * {@link #kvBlocks} blocks at once, each device counted alone. It causes the fault a CPU cannot: a
 * GPU with memory on demand running out of memory while the pool's pages are free. Listed in this
 * module's test services; its priority keeps it from ever being chosen unasked.
 */
public final class MemoryLimitedCpuProvider implements BackendProvider {
    /** Blocks each device can back; set by a test before it opens a pool. */
    static volatile int kvBlocks = Integer.MAX_VALUE;
    /** The device memory each device reports ({@link Backend#deviceMemoryBytes()}). */
    static volatile long memoryBytes = Long.MAX_VALUE;

    @Override public String name() { return "cpu-limited"; }

    @Override public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override public int priority() { return -1; }

    @Override public Backend create() { return limited(new CpuBackend(2), kvBlocks, memoryBytes); }

    @Override
    public Backend create(int ordinal) {
        if (ordinal < 0) throw new IllegalArgumentException("device ordinal must be >= 0, got " + ordinal);
        return create();
    }

    /** {@code cpu} with room for {@code blocks} backed KV blocks and {@code memory} bytes; every other call goes to it. */
    static Backend limited(CpuBackend cpu, int blocks, long memory) {
        int[] backed = {0};
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "backKvBlocks" -> {
                    int n = ((int[]) args[1]).length;
                    synchronized (backed) {
                        if (backed[0] + n > blocks) return false;
                        backed[0] += n;
                        return true;
                    }
                }
                case "deviceMemoryBytes" -> {
                    return java.util.OptionalLong.of(memory);
                }
                case "unbackKvBlocks" -> {
                    synchronized (backed) {
                        backed[0] -= ((int[]) args[1]).length;
                        if (backed[0] < 0) throw new AssertionError("more blocks unbacked than backed");
                    }
                    return null;
                }
                default -> {
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
        });
    }
}
