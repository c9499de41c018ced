package dev.aegaeon.runtime.cuda.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few entry points of NVIDIA's cuBLASLt the matrix products use, bound through the foreign
 * function API to whichever {@code libcublasLt.so.N} the machine has (JCuda's JCublas binds one
 * CUDA major only; the library's C ABI is stable across majors for these calls). Every handle
 * returns cuBLAS's status code (0: success). Loaded once per process; thread-safe.
 */
public final class CublasLtLibrary {
    /** Names tried in order: the newest major first, then whatever the loader finds. */
    static final List<String> NAMES = List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so");
    /** Folders tried beside the loader's own search path. */
    static final List<String> FOLDERS = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
            "/usr/lib/x86_64-linux-gnu");

    final MethodHandle create, destroy, matmulDescCreate, matmulDescSetAttribute, matmulDescDestroy;
    final MethodHandle matrixLayoutCreate, matrixLayoutSetAttribute, matrixLayoutDestroy;
    final MethodHandle preferenceCreate, preferenceSetAttribute, preferenceDestroy;
    final MethodHandle algoGetHeuristic, matmul;
    private final String origin;

    private static volatile Optional<CublasLtLibrary> loaded;
    private static volatile String whyNot = "";

    private CublasLtLibrary(SymbolLookup lib, String origin) {
        this.origin = origin;
        Linker l = Linker.nativeLinker();
        create = l.downcallHandle(lib.findOrThrow("cublasLtCreate"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = l.downcallHandle(lib.findOrThrow("cublasLtDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        matmulDescCreate = l.downcallHandle(lib.findOrThrow("cublasLtMatmulDescCreate"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        matmulDescSetAttribute = l.downcallHandle(lib.findOrThrow("cublasLtMatmulDescSetAttribute"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        matmulDescDestroy = l.downcallHandle(lib.findOrThrow("cublasLtMatmulDescDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        matrixLayoutCreate = l.downcallHandle(lib.findOrThrow("cublasLtMatrixLayoutCreate"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        matrixLayoutSetAttribute = l.downcallHandle(lib.findOrThrow("cublasLtMatrixLayoutSetAttribute"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        matrixLayoutDestroy = l.downcallHandle(lib.findOrThrow("cublasLtMatrixLayoutDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        preferenceCreate = l.downcallHandle(lib.findOrThrow("cublasLtMatmulPreferenceCreate"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        preferenceSetAttribute = l.downcallHandle(lib.findOrThrow("cublasLtMatmulPreferenceSetAttribute"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        preferenceDestroy = l.downcallHandle(lib.findOrThrow("cublasLtMatmulPreferenceDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // handle, op desc, A, B, C, D layouts, preference, requested count, results array, returned count
        algoGetHeuristic = l.downcallHandle(lib.findOrThrow("cublasLtMatmulAlgoGetHeuristic"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        // handle, op desc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo, workspace, bytes, stream
        matmul = l.downcallHandle(lib.findOrThrow("cublasLtMatmul"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }

    /** Where the library was found (a file or a name the loader resolved). */
    public String origin() { return origin; }

    /**
     * The library, or empty with {@link #whyAbsent()} saying which names and folders were tried.
     * {@code AEGAEON_CUBLASLT} (a file) is tried first when set.
     */
    public static Optional<CublasLtLibrary> find() {
        Optional<CublasLtLibrary> l = loaded;
        if (l == null) {
            synchronized (CublasLtLibrary.class) {
                if (loaded == null) loaded = load(System.getenv("AEGAEON_CUBLASLT"));
                l = loaded;
            }
        }
        return l;
    }

    /** Why {@link #find()} came back empty ("" when it did not). */
    public static String whyAbsent() { return whyNot; }

    static Optional<CublasLtLibrary> load(String explicit) {
        List<String> tried = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) candidates.add(explicit);
        for (String folder : FOLDERS) {
            for (String name : NAMES) {
                if (Files.isRegularFile(Path.of(folder, name))) candidates.add(Path.of(folder, name).toString());
            }
        }
        candidates.addAll(NAMES);
        for (String c : candidates) {
            try {
                SymbolLookup lib = c.contains("/") ? SymbolLookup.libraryLookup(Path.of(c), Arena.global())
                        : SymbolLookup.libraryLookup(c, Arena.global());
                return Optional.of(new CublasLtLibrary(lib, c));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                tried.add(c);
            }
        }
        whyNot = "no cuBLASLt library found (tried " + String.join(", ", tried) + " and folders " + FOLDERS
                + "; set AEGAEON_CUBLASLT to the file)";
        return Optional.empty();
    }
}
