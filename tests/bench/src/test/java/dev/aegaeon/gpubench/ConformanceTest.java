package dev.aegaeon.gpubench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.aegaeon.runtime.cuda.CudaAvailability;
import picocli.CommandLine;

/** The device's conformance run cannot pass by skipping: with --expect-gpu, "no usable CUDA" fails it. */
class ConformanceTest {
    private static final String CLASS = "dev.aegaeon.runtime.sampling.HostSamplingEngineTest"; // CPU and CUDA halves

    @Test
    void withoutAGpuTheSameRunPassesPlainAndFailsWhenAGpuIsExpected() {
        Assumptions.assumeFalse(CudaAvailability.probe().available(), "this machine has a usable GPU: nothing skips");
        assertEquals(0, new CommandLine(new Conformance()).execute("--class", CLASS), "the CPU half passes, the CUDA half skips");
        assertEquals(1, new CommandLine(new Conformance()).execute("--expect-gpu", "--class", CLASS));
    }
}
