package dev.aegaeon.runtime.cuda.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed kernel images are current with their sources and packaged whole: every build runs
 * this (no nvcc needed), so a kernel edited without rerunning build-kernels.sh fails here.
 */
class KernelImagesCurrentTest {
    private static final Path CUDA = Path.of("src/main/cuda");
    private static final Set<String> PORTABLE_ARCHS = Set.of("sm_80", "sm_86", "sm_89", "sm_90", "compute_80");

    @Test
    void everyImageWasBuiltFromTheSourcesAsTheyAreNow() throws IOException {
        KernelImageManifest m = packaged();
        List<String> stale = new ArrayList<>();
        for (String module : m.modules()) {
            String now = KernelImageManifest.sourcesHash(CUDA, module);
            for (KernelImageManifest.Image i : m.imagesOf(module)) {
                if (!i.sourcesSha256().equals(now)) stale.add(i.file());
            }
        }
        assertEquals(List.of(), stale, "kernel sources changed since these images were built: run gpu-runtime/src/main/cuda/build-kernels.sh (needs nvcc)");
    }

    @Test
    void everyKernelSourceHasItsImagesForEveryShippedArchitecture() throws IOException {
        KernelImageManifest m = packaged();
        Set<String> sources;
        try (Stream<Path> s = Files.list(CUDA)) {
            sources = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(sources, new TreeSet<>(m.modules()), "modules in the manifest against .cu files in src/main/cuda");
        for (String module : sources) {
            Set<String> archs = m.imagesOf(module).stream().map(KernelImageManifest.Image::arch).collect(Collectors.toSet());
            assertEquals(module.endsWith("_sm90a") ? Set.of("sm_90a") : PORTABLE_ARCHS, archs, module);
        }
    }

    @Test
    void theClassPathHoldsEveryListedImageWithItsRecordedBytes() throws IOException {
        KernelImageManifest m = packaged();
        long total = 0;
        for (KernelImageManifest.Image i : m.images()) {
            try (InputStream in = KernelImageManifest.class.getResourceAsStream(KernelImageManifest.RESOURCE_DIR + i.file())) {
                assertNotNull(in, i.file() + " is in the manifest but not packaged");
                byte[] bytes = in.readAllBytes();
                assertEquals(i.imageSha256(), KernelImageManifest.sha256(bytes), i.file());
                assertTrue(bytes.length < (2 << 20), i.file() + " is " + bytes.length + " bytes; committed files stay under 2 MB");
                total += bytes.length;
            }
        }
        assertTrue(total < (10 << 20), "kernel images total " + total + " bytes; keep them well under 10 MB (the device copy limit)");
    }

    @Test
    void theSourcesHashIsWhatSha256sumGivesForTheListing() throws IOException {
        // The same recipe as build-kernels.sh: sha256 over "<sha256>  <name>" lines; a changed header changes every module's hash.
        Path dir = Files.createTempDirectory("cuda");
        Files.writeString(dir.resolve("a.cu"), "x");
        Files.writeString(dir.resolve("h.cuh"), "y");
        Files.writeString(dir.resolve(KernelImageManifest.BUILD_SCRIPT), "z");
        String before = KernelImageManifest.sourcesHash(dir, "a");
        String listing = KernelImageManifest.sha256("x".getBytes()) + "  a.cu\n" + KernelImageManifest.sha256("y".getBytes()) + "  h.cuh\n"
                + KernelImageManifest.sha256("z".getBytes()) + "  " + KernelImageManifest.BUILD_SCRIPT + "\n";
        assertEquals(KernelImageManifest.sha256(listing.getBytes()), before);
        Files.writeString(dir.resolve("h.cuh"), "y2");
        assertTrue(!before.equals(KernelImageManifest.sourcesHash(dir, "a")));
    }

    private static KernelImageManifest packaged() {
        KernelImageManifest m = KernelImageManifest.packaged();
        assertNotNull(m, "no kernel image manifest on the class path: src/main/kernel-images is not packaged");
        return m;
    }
}
