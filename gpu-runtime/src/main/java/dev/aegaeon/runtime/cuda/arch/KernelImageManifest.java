package dev.aegaeon.runtime.cuda.arch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The kernel images shipped in this jar, as gpu-runtime/src/main/cuda/build-kernels.sh wrote them
 * into manifest.tsv: the nvcc that built them and, per image, its module, architecture, file and
 * the sha256 of the inputs it was made from. Lines: {@code nvcc<TAB>VERSION} and
 * {@code image<TAB>MODULE<TAB>ARCH<TAB>FILE<TAB>SOURCES-SHA256<TAB>IMAGE-SHA256}; {@code #} comments.
 */
public record KernelImageManifest(String nvccVersion, List<Image> images) {
    /** Class-path folder of the images and the manifest. */
    public static final String RESOURCE_DIR = "/dev/aegaeon/runtime/cuda/images/";
    public static final String FILE = "manifest.tsv";
    /** The build script, hashed with each module's sources (its flags shape every image). */
    public static final String BUILD_SCRIPT = "build-kernels.sh";

    /** One image: {@code module} compiled for {@code arch} ({@code sm_86}, {@code sm_90a}, {@code compute_80}). */
    public record Image(String module, String arch, String file, String sourcesSha256, String imageSha256) {
        /** Whether this image is PTX the driver compiles at load (a {@code compute_} architecture). */
        public boolean ptx() { return arch.startsWith("compute_"); }

        /** Whether this image holds architecture-specific code that runs on its exact capability only ({@code sm_90a}). */
        public boolean archSpecific() { return arch.endsWith("a"); }

        public ComputeCapability capability() { return ComputeCapability.ofArch(arch); }
    }

    public KernelImageManifest {
        images = List.copyOf(images);
        if (nvccVersion == null || !nvccVersion.matches("[0-9]+\\.[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("kernel image manifest names no nvcc version: " + nvccVersion);
        }
    }

    /** The manifest in this jar, or null when the jar carries no kernel images. */
    public static KernelImageManifest packaged() {
        try (InputStream in = KernelImageManifest.class.getResourceAsStream(RESOURCE_DIR + FILE)) {
            return in == null ? null : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kernel image manifest", e);
        }
    }

    public static KernelImageManifest parse(String text) {
        String nvcc = null;
        List<Image> images = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            if (f[0].equals("nvcc") && f.length == 2) nvcc = f[1].strip();
            else if (f[0].equals("image") && f.length == 6) images.add(new Image(f[1], f[2], f[3], f[4], f[5].strip()));
            else throw new IllegalArgumentException("kernel image manifest: cannot read line '" + line + "'");
        }
        return new KernelImageManifest(nvcc, images);
    }

    /** Module names in manifest order. */
    public Set<String> modules() {
        Set<String> m = new LinkedHashSet<>();
        for (Image i : images) m.add(i.module());
        return m;
    }

    public List<Image> imagesOf(String module) {
        return images.stream().filter(i -> i.module().equals(module)).toList();
    }

    /** nvcc's major.minor as the driver reports versions: 13.0 is 13000. */
    public int nvccCudaVersion() {
        String[] v = nvccVersion.split("\\.");
        return Integer.parseInt(v[0]) * 1000 + Integer.parseInt(v[1]) * 10;
    }

    /**
     * The sha256 build-kernels.sh records for {@code module}: sha256 over the lines
     * {@code "<sha256>  <name>\n"} of {@code module.cu}, every {@code .cuh} in name order and the build
     * script (what {@code sha256sum} prints for them).
     */
    public static String sourcesHash(Path cudaDir, String module) throws IOException {
        List<String> names = new ArrayList<>();
        names.add(module + ".cu");
        try (Stream<Path> s = Files.list(cudaDir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cuh")).sorted().forEach(names::add);
        }
        names.add(BUILD_SCRIPT);
        StringBuilder listing = new StringBuilder();
        for (String n : names) listing.append(sha256(Files.readAllBytes(cudaDir.resolve(n)))).append("  ").append(n).append('\n');
        return sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
