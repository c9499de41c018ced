package dev.aegaeon.runtime.cuda.kernels;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

/**
 * The PTX modules built from src/main/cuda (listed in kernels.list beside them), loaded once per
 * context with cuModuleLoadData; functions are looked up once and cached, so a model switch
 * touches none of this. Modules named *_sm90a hold optional Hopper-only kernels: when the driver
 * rejects one (another GPU, or a JIT failure) it is left out with one logged warning and
 * {@link #optionalFunction} answers null for its kernels.
 */
public final class KernelModules {
    private static final System.Logger LOG = System.getLogger(KernelModules.class.getName());
    /** Suffix of modules that may fail to load without failing the backend. */
    static final String OPTIONAL_SUFFIX = "_sm90a";
    private static final String DIR = "/dev/aegaeon/runtime/cuda/";
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, CUmodule> modules = new HashMap<>();

    public static URL listResource() {
        return KernelModules.class.getResource(DIR + "kernels.list");
    }

    public KernelModules() {
        URL list = listResource();
        if (list == null) throw new IllegalStateException("CUDA kernels were not built into this jar");
        try (InputStream in = list.openStream()) {
            for (String name : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
                if (name.isBlank()) continue;
                try (InputStream ptx = KernelModules.class.getResourceAsStream(DIR + name + ".ptx")) {
                    if (ptx == null) throw new IllegalStateException("missing PTX resource " + name + ".ptx");
                    byte[] bytes = ptx.readAllBytes();
                    byte[] z = Arrays.copyOf(bytes, bytes.length + 1); // the driver wants a C string
                    CUmodule m = new CUmodule();
                    try {
                        cuModuleLoadData(m, z);
                    } catch (RuntimeException e) {
                        if (!name.endsWith(OPTIONAL_SUFFIX)) throw e;
                        LOG.log(System.Logger.Level.WARNING, "optional CUDA module " + name
                                + " did not load, its kernels are absent: " + e.getMessage());
                        continue;
                    }
                    modules.put(name, m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CUDA kernels", e);
        }
    }

    /** The names of the kernels fetched so far, by function (for profiles). */
    java.util.Map<CUfunction, String> loadedNames() {
        java.util.Map<CUfunction, String> m = new java.util.IdentityHashMap<>();
        functions.forEach((name, f) -> m.put(f, name));
        return m;
    }

    /** The kernel {@code name} from whichever module defines it. */
    public CUfunction function(String name) {
        CUfunction f = optionalFunction(name);
        if (f == null) throw new IllegalStateException("no CUDA kernel named " + name);
        return f;
    }

    /** The kernel {@code name}, or null when no loaded module defines it (an optional module left out). */
    public CUfunction optionalFunction(String name) {
        CUfunction f = functions.get(name);
        if (f != null) return f;
        for (CUmodule m : modules.values()) {
            CUfunction candidate = new CUfunction();
            try {
                cuModuleGetFunction(candidate, m, name);
                functions.put(name, candidate);
                return candidate;
            } catch (RuntimeException notHere) {
                // CUDA_ERROR_NOT_FOUND in this module: try the next one.
            }
        }
        return null;
    }
}
