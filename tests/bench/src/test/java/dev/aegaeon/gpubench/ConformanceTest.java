package dev.aegaeon.gpubench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.aegaeon.runtime.cuda.CudaAvailability;
import picocli.CommandLine;

/**
 * The device's conformance run cannot pass by skipping: with --expect-gpu, "no usable CUDA" fails it;
 * and it runs every CUDA test class there is (a class left out of its list never runs on a GPU).
 */
class ConformanceTest {
    private static final String CLASS = "dev.aegaeon.runtime.sampling.HostSamplingEngineTest"; // CPU and CUDA halves

    @Test
    void withoutAGpuTheSameRunPassesPlainAndFailsWhenAGpuIsExpected() {
        Assumptions.assumeFalse(CudaAvailability.probe().available(), "this machine has a usable GPU: nothing skips");
        assertEquals(0, new CommandLine(new Conformance()).execute("--class", CLASS), "the CPU half passes, the CUDA half skips");
        assertEquals(1, new CommandLine(new Conformance()).execute("--expect-gpu", "--class", CLASS));
    }

    @Test
    void multiGpuSelectsTheTwoGpuClassesAndClassWinsOverBoth() {
        Conformance c = new Conformance();
        new CommandLine(c).parseArgs("--multi-gpu");
        assertEquals(Conformance.MULTI_GPU_CLASSES, c.selected());
        Conformance d = new Conformance();
        new CommandLine(d).parseArgs();
        assertEquals(Conformance.DEFAULT_CLASSES, d.selected());
        Conformance e = new Conformance();
        new CommandLine(e).parseArgs("--multi-gpu", "--class", CLASS);
        assertEquals(List.of(CLASS), e.selected());
    }

    @Test
    void theDefaultSuiteHoldsEveryCudaTestClass() throws IOException {
        Path dir = repositoryRoot().resolve("gpu-runtime/src/test/java/dev/aegaeon/runtime/cuda");
        List<String> cudaClasses;
        try (Stream<Path> files = Files.list(dir)) {
            cudaClasses = files.filter(f -> f.getFileName().toString().endsWith("Test.java")).filter(ConformanceTest::needsCuda)
                    .map(f -> "dev.aegaeon.runtime.cuda." + f.getFileName().toString().replace(".java", "")).sorted().toList();
        }
        assertTrue(cudaClasses.size() >= 8, "found " + cudaClasses);
        for (String c : cudaClasses) {
            assertTrue(Conformance.DEFAULT_CLASSES.contains(c) || Conformance.MULTI_GPU_CLASSES.contains(c),
                    c + " probes CUDA but is in neither the device suite nor the two-GPU list of Conformance");
        }
    }

    private static boolean needsCuda(Path testSource) {
        try {
            String s = Files.readString(testSource);
            return s.contains("CudaAvailability.probe()") || s.contains("@RequiresCuda") || s.contains("TwinBackends.openOrSkip");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("gpu-runtime/src/test/java"))) return p;
        }
        throw new IllegalStateException("no gpu-runtime/ above " + Path.of("").toAbsolutePath());
    }
}
