package dev.aegaeon.gpubench.pool;

import dev.aegaeon.worker.DeviceLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The {@code pool-smoke} command line: N functions of one synthetic shape on the pooled runtime. */
@Command(name = "pool-smoke", mixinStandardHelpOptions = true,
        description = "Pooled runtime on a device: Poisson arrivals per function, bounded drain, TTFT/TBT/SLO table and JSON.")
public final class PoolSmokeOptions implements Callable<Integer> {
    @Option(names = "--backend", description = "cuda or cpu (default ${DEFAULT-VALUE})") String backend = "cuda";
    @Option(names = "--functions", description = "functions, each a distinct pool model (default ${DEFAULT-VALUE})") int functions = 4;
    @Option(names = "--shape", description = "synthetic model shape (default ${DEFAULT-VALUE})") String shape = "qwen2.5-7b";
    @Option(names = "--same-seed", description = "every function the same weights (one host image)") boolean sameSeed;
    @Option(names = "--rate", description = "requests/s per function (default ${DEFAULT-VALUE})") double rate = 0.1;
    @Option(names = "--seconds", description = "arrival window (default ${DEFAULT-VALUE})") double seconds = 120;
    @Option(names = "--drain", description = "bounded drain after the window (default ${DEFAULT-VALUE})") double drain = 90;
    @Option(names = "--prompt", description = "mean prompt tokens (default ${DEFAULT-VALUE})") double prompt = 161;
    @Option(names = "--output", description = "mean output tokens (default ${DEFAULT-VALUE})") double output = 338;
    @Option(names = "--memory-gb", description = "pool memory per device (default ${DEFAULT-VALUE})") double memoryGb = 34;
    @Option(names = "--kv-tokens", description = "KV positions per model (default ${DEFAULT-VALUE})") int kvTokens = 4096;
    @Option(names = "--seed", description = "trace seed (default ${DEFAULT-VALUE})") long seed = 1;
    @Option(names = "--out", description = "JSON result file") Path out;
    @Option(names = "--devices", description = "a count or 'all' (default ${DEFAULT-VALUE})") String devices = "1";
    @Option(names = "--mode", description = "colocated, disaggregated or hybrid (default ${DEFAULT-VALUE})") String mode = "colocated";
    @Option(names = "--prefill-devices", description = "prefill devices when disaggregated (default ${DEFAULT-VALUE})") int prefillDevices = 1;

    /** The validated run description. */
    PoolGpuSmoke.Args toArgs() {
        int n;
        try {
            n = devices.equalsIgnoreCase("all") ? 0 : Integer.parseInt(devices);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--devices must be a count or 'all', got " + devices);
        }
        return PoolGpuSmoke.Args.of(backend, functions, shape, sameSeed, rate, seconds, drain, prompt, output, memoryGb, kvTokens,
                seed, out, n, DeviceLayout.Mode.parse(mode), prefillDevices);
    }

    @Override
    public Integer call() throws Exception {
        return PoolGpuSmoke.runAndReport(toArgs());
    }
}
