package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.arch.KernelImageChoice;
import dev.aegaeon.runtime.cuda.arch.KernelImageManifest;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

/**
 * The kernel modules of one context, loaded once with cuModuleLoadData from the images a
 * {@link KernelImageChoice.Load} names (one fatbin per module: SASS of the GPU's architecture, or PTX
 * the driver compiles); functions are looked up once and cached, so a model switch touches none of
 * this. Modules named *_sm90a hold optional Hopper-only kernels: when the driver rejects one it is
 * left out with one logged warning and {@link #optionalFunction} answers null for its kernels.
 */
public final class KernelModules {
    private static final System.Logger LOG = System.getLogger(KernelModules.class.getName());
    /** Suffix of modules that may fail to load without failing the backend. */
    static final String OPTIONAL_SUFFIX = "_sm90a";
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final List<String> loadedImages = new ArrayList<>();

    /**
     * Loads {@code choice}'s images of {@code manifest} from this jar; an image whose bytes differ
     * from the manifest's sha256 fails the start (a damaged jar), naming the file.
     */
    public KernelModules(KernelImageManifest manifest, KernelImageChoice.Load choice) {
        for (KernelImageManifest.Image image : choice.images(manifest)) {
            byte[] bytes = read(image.file());
            if (!KernelImageManifest.sha256(bytes).equals(image.imageSha256())) {
                throw new IllegalStateException("kernel image " + image.file() + " does not match its manifest sha256 (damaged jar?)");
            }
            CUmodule m = new CUmodule();
            try {
                cuModuleLoadData(m, bytes);
            } catch (RuntimeException e) {
                if (!image.module().endsWith(OPTIONAL_SUFFIX)) {
                    throw new IllegalStateException("the driver rejected kernel image " + image.file() + ": " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.WARNING, "optional CUDA module " + image.file()
                        + " did not load, its kernels are absent: " + e.getMessage());
                continue;
            }
            modules.put(image.module(), m);
            loadedImages.add(image.file());
        }
    }

    private static byte[] read(String file) {
        try (InputStream in = KernelModules.class.getResourceAsStream(KernelImageManifest.RESOURCE_DIR + file)) {
            if (in == null) throw new IllegalStateException("kernel image " + file + " is listed in the manifest but missing from this jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel image " + file, e);
        }
    }

    /** The image files loaded, in load order (for the start log and the device checks). */
    public List<String> loadedImages() { return List.copyOf(loadedImages); }

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
