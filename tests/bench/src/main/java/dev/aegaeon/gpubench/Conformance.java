package dev.aegaeon.gpubench;

import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.MethodFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs gpu-runtime's CUDA conformance tests (bundled in the fat jar) through the JUnit Platform
 * launcher, for a device without Maven. Exit 0 only when some test passed and none failed (a test
 * skipped by an assumption, e.g. a kernel whose module did not load, is listed as [A]).
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Runs gpu-runtime's CUDA test classes on this machine's GPU; exit 0 when all ran and passed.")
final class Conformance implements Callable<Integer> {
    /** The suite a device run checks by default: every CUDA test class that needs one GPU. */
    static final List<String> DEFAULT_CLASSES = List.of(
            "dev.aegaeon.runtime.cuda.StepGraphsTest", "dev.aegaeon.runtime.cuda.BackendConformanceTest",
            "dev.aegaeon.runtime.cuda.ProductConformanceTest", "dev.aegaeon.runtime.cuda.DecodeKernelsTest",
            "dev.aegaeon.runtime.sampling.HostSamplingEngineTest", "dev.aegaeon.runtime.cuda.CublasLtConformanceTest",
            "dev.aegaeon.runtime.cuda.OnDemandMemoryTest", "dev.aegaeon.runtime.cuda.Bf16MlpConformanceTest",
            "dev.aegaeon.runtime.cuda.ResidualEpilogueConformanceTest", "dev.aegaeon.runtime.cuda.Bf16OnlyInputsConformanceTest",
            "dev.aegaeon.runtime.cuda.PairedProductsConformanceTest",
            "dev.aegaeon.runtime.cuda.HostCacheSharingTest", "dev.aegaeon.runtime.cuda.CudaAvailabilityTest");

    /** CUDA test classes that need two GPUs of one host: run with {@code --multi-gpu} where such a machine is lent (run-conformance.sh does). */
    static final List<String> MULTI_GPU_CLASSES = List.of("dev.aegaeon.runtime.cuda.PeerKvCopyTest");

    @Option(names = "--class", description = "test class to run (repeatable; default: the one-GPU CUDA suite)")
    List<String> classes;
    @Option(names = "--include-method", description = "only methods whose fully qualified name matches this regex")
    String includeMethod;
    @Option(names = "--exclude-method", description = "leave out methods whose fully qualified name matches this regex")
    String excludeMethod;

    @Option(names = "--multi-gpu", description = "run the classes that need two GPUs of one host (MULTI_GPU_CLASSES) instead of the one-GPU suite")
    boolean multiGpu;

    @Option(names = "--expect-gpu", description = "fail when a test was skipped because CUDA was not usable (on the device, a suite that skipped everything must not pass)")
    boolean expectGpu;

    /** Skip and abort reasons that mean "no usable CUDA here", not "not for this card". */
    static final java.util.regex.Pattern NO_CUDA = java.util.regex.Pattern.compile(
            "needs a usable CUDA device|CUDA unavailable|no usable CUDA device");

    @Override
    public Integer call() {
        List<String> selected = selected();
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selected.stream().map(DiscoverySelectors::selectClass).toList())
                .filters(ClassNameFilter.includeClassNamePatterns(".*"));
        if (includeMethod != null) request.filters(MethodFilter.includeMethodNamePatterns(includeMethod));
        if (excludeMethod != null) request.filters(MethodFilter.excludeMethodNamePatterns(excludeMethod));
        LauncherDiscoveryRequest built = request.build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        ProgressListener progress = new ProgressListener();
        LauncherFactory.create().execute(built, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 30);
        s.printTo(out);
        boolean ok = s.getTestsSucceededCount() > 0 && s.getTotalFailureCount() == 0;
        if (expectGpu && progress.noCuda.get() > 0) {
            out.println("conformance: " + progress.noCuda.get() + " test(s) skipped because CUDA was not usable, on a run that expects a GPU: "
                    + progress.firstNoCuda);
            ok = false;
        }
        out.println(ok ? "conformance: PASSED" : "conformance: FAILED");
        return ok ? 0 : 1;
    }

    /** The classes named by --class, else the two-GPU list with --multi-gpu, else the one-GPU suite. */
    List<String> selected() {
        return classes != null && !classes.isEmpty() ? classes : multiGpu ? MULTI_GPU_CLASSES : DEFAULT_CLASSES;
    }

    /** One line per finished test: [OK], [X] (failed) or [S] (skipped, with the reason). */
    static final class ProgressListener implements org.junit.platform.launcher.TestExecutionListener {
        final java.util.concurrent.atomic.AtomicInteger noCuda = new java.util.concurrent.atomic.AtomicInteger();
        volatile String firstNoCuda = "";

        private void noted(String reason) {
            if (reason != null && NO_CUDA.matcher(reason).find() && noCuda.getAndIncrement() == 0) firstNoCuda = reason;
        }

        @Override
        public void executionFinished(org.junit.platform.launcher.TestIdentifier id, org.junit.platform.engine.TestExecutionResult r) {
            if (!id.isTest()) return;
            if (r.getStatus() == org.junit.platform.engine.TestExecutionResult.Status.ABORTED) {
                r.getThrowable().ifPresent(t -> noted(String.valueOf(t.getMessage())));
            }
            String mark = switch (r.getStatus()) {
                case SUCCESSFUL -> "[OK]";
                case FAILED -> "[X]";
                case ABORTED -> "[A]";
            };
            System.out.println(mark + " " + id.getUniqueId() + r.getThrowable().map(t -> " " + t).orElse(""));
        }

        @Override
        public void executionSkipped(org.junit.platform.launcher.TestIdentifier id, String reason) {
            if (id.isTest()) noted(reason);
            System.out.println("[S] " + id.getUniqueId() + " " + reason);
        }
    }
}
