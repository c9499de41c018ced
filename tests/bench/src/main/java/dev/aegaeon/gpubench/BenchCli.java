package dev.aegaeon.gpubench;

import dev.aegaeon.gpubench.cpu.CpuDecodeBench;
import dev.aegaeon.gpubench.cuda.CudaBench;
import dev.aegaeon.gpubench.cuda.CudaParity;
import dev.aegaeon.gpubench.cuda.GemmBench;
import dev.aegaeon.gpubench.pool.PoolSmokeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The one command line of every benchmark, profiler and parity runner:
 * {@code java -jar aegaeon-gpu-bench.jar SUBCOMMAND [OPTIONS]}; {@code --help} on each lists its options.
 * Kernel selection comes from the {@code aegaeon.cuda.*} system properties (gpu-runtime/README.md).
 */
@Command(name = "aegaeon-gpu-bench", mixinStandardHelpOptions = true,
        subcommands = {Conformance.class, BenchCli.Step.class, BenchCli.Gemm.class, BenchCli.Parity.class, BenchCli.CpuDecode.class,
                PoolSmokeOptions.class},
        description = "Benchmarks, profilers and parity runners of the GPU runtime.")
public final class BenchCli {
    private BenchCli() {}

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchCli());
        // A bad option value found while building a run (e.g. an unknown --mode) is a usage error: message, exit 2.
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (!(e instanceof IllegalArgumentException)) throw e;
            line.getErr().println("error: " + e.getMessage());
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Command(name = "step", mixinStandardHelpOptions = true,
            description = "Decode and prefill of a Qwen2.5-7B-shaped synthetic model on CUDA device 0: step times, "
                    + "per-kernel breakdowns, tile and kernel comparisons, HBM/PCIe floors, scale-up; writes one JSON.")
    static final class Step implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "JSON result file") Path out;
        @Option(names = "--vllm-profiles", description = "vLLM profiles CSV to set beside the figures") Path vllmProfiles;
        @Option(names = "--commit", description = "commit measured (default ${DEFAULT-VALUE})") String commit = "unknown";
        @Option(names = "--matmul-tflops", description = "dense bf16 TFLOP/s of this card, for the prefill floor") Double tflops;
        @Option(names = "--skip", split = ",", description = "sections to leave out: splitKvMma, fusedBf16Operands, prefillAttentionMma, cublasLt, bf16Mlp")
        List<String> skip = List.of();

        @Override
        public Integer call() throws Exception {
            return CudaBench.run(new CudaBench.Options(out, vllmProfiles, commit, tflops == null ? Double.NaN : tflops,
                    new LinkedHashSet<>(skip)));
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "TFLOP/s of every loaded GEMM tile on the 7B's prefill products, against a reference tile.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--reference", description = "reference tile (default: the large-tile default)") String reference;

        @Override
        public Integer call() {
            return GemmBench.run(reference);
        }
    }

    @Command(name = "parity", mixinStandardHelpOptions = true,
            description = "CUDA against the CPU engine on synthetic models of every family: logits and greedy ids; exit 1 on a miss.")
    static final class Parity implements Callable<Integer> {
        @Option(names = "--out", description = "JSON result file (default ${DEFAULT-VALUE})") Path out = Path.of("parity.json");
        @Option(names = "--with-7b", arity = "1", description = "include the Qwen2.5-7B shape (default ${DEFAULT-VALUE})")
        boolean with7b = true;

        @Override
        public Integer call() throws Exception {
            return CudaParity.run(out, with7b);
        }
    }

    @Command(name = "cpu-decode", mixinStandardHelpOptions = true,
            description = "Decode tokens/s of a Qwen2.5-0.5B shape on the CPU backend beside the memory-bandwidth floor.")
    static final class CpuDecode implements Callable<Integer> {
        @Option(names = "--steps", description = "decode steps (default ${DEFAULT-VALUE})") int steps = 20;
        @Option(names = "--threads", description = "threads (default: all cores)") Integer threads;

        @Override
        public Integer call() {
            CpuDecodeBench.run(steps, threads == null ? Runtime.getRuntime().availableProcessors() : threads);
            return 0;
        }
    }
}
