package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.CudaAvailability;
import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kernels.DecodeKernels;
import dev.aegaeon.runtime.cuda.kernels.StepGraphs;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;

import dev.aegaeon.gpubench.BenchJson;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.engine.ModelRunner;
import dev.aegaeon.runtime.engine.ModelWeights;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelShapes;
import jcuda.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.aegaeon.gpubench.cuda.BenchRuns.BLOCK;
import static dev.aegaeon.gpubench.cuda.BenchRuns.CONTEXT;
import static dev.aegaeon.gpubench.cuda.BenchRuns.median;
import static dev.aegaeon.gpubench.cuda.BenchRuns.say;
import static dev.aegaeon.gpubench.cuda.BenchRuns.secs;
import static dev.aegaeon.gpubench.cuda.BenchRuns.step;
import static jcuda.driver.JCudaDriver.*;

/**
 * The GPU step benchmark on a Qwen2.5-7B-shaped synthetic model (bf16), through the
 * engine's ModelRunner on the CUDA backend. Prints each figure as measured and writes one JSON
 * file. Floors are measured in the same run: HBM bandwidth by a device-to-device copy (bytes read
 * plus written), PCIe by a pinned host-to-device copy.
 *
 * <p>Run through {@code BenchCli step}.
 */
public final class CudaBench {
    private final CudaDevice dev;
    private final CudaBackend backend;
    private final ModelConfig config = ModelShapes.qwen25_7b();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final BenchRuns runs;

    private CudaBench(CudaDevice dev) {
        this.dev = dev;
        this.backend = new CudaBackend(dev, false);
        this.runs = new BenchRuns(dev, backend, config);
    }

    /**
     * What one run measures and where it writes.
     *
     * @param out           the JSON file written at the end
     * @param vllmProfiles  vLLM's H100 profiles to set beside the figures, or null
     * @param commit        the commit measured, recorded in the JSON
     * @param matmulTflops  dense bf16 TFLOP/s measured elsewhere on this card (the prefill floor), or NaN
     * @param skip          sections left out by name (splitKvMma, fusedBf16Operands, prefillAttentionMma, cublasLt, bf16Mlp)
     */
    public record Options(Path out, Path vllmProfiles, String commit, double matmulTflops, java.util.Set<String> skip) {}

    private static java.util.Set<String> skip = java.util.Set.of();

    /** Runs the benchmark on device 0; 1 when no CUDA device is usable. */
    public static int run(Options o) throws IOException {
        CudaAvailability a = CudaAvailability.probe();
        if (!a.available()) {
            System.err.println(a.reason());
            return 1;
        }
        skip = o.skip();
        try (CudaDevice dev = CudaDevice.open(0, CudaConfig.oneAllocation(0.93))) {
            new CudaBench(dev).measure(o);
        }
        return 0;
    }

    private void measure(Options o) throws IOException {
        json.put("card", dev.name());
        // What makes figures from different cards comparable: the card's limits, the code path it ran, its own floors.
        json.put("device_limits", dev.limits().toString());
        json.put("kernel_images", dev.kernelImages());
        say("card %s (%s); kernel images %s", dev.name(), dev.limits(), dev.kernelImages());
        json.put("date", Instant.now().toString());
        json.put("commit", o.commit());
        json.put("model", "synthetic Qwen2.5-7B shape (hidden 3584, 28 layers, 28/4 heads, ffn 18944, vocab 152064), bf16");
        double hbm = hbmGbps(), pcie = pinnedGbps();
        json.put("hbm_copy_gbps", hbm);
        json.put("pinned_h2d_gbps", pcie);
        say("floors: HBM copy %.0f GB/s, pinned H2D %.1f GB/s", hbm, pcie);

        int maxBatch = 128, blocksPerSeq = (CONTEXT + 1 + BLOCK - 1) / BLOCK, prefillSeq = maxBatch;
        int blocksA = (maxBatch + 2048 / blocksPerSeq / BLOCK + 4) * blocksPerSeq;
        BenchLayouts layA = new BenchLayouts(BLOCK, blocksPerSeq, config.vocabSize());
        long t0 = System.nanoTime();
        ModelRunner a = runner(11, blocksA);
        say("model A: synthetic weights generated, pinned and loaded in %.1f s", secs(t0));
        long weightBytes = a.weights().bytesReadPerDecodeStep();
        json.put("weight_bytes_per_decode_step", weightBytes);

        for (int g = 0; g < maxBatch; g += 4) a.forward(layA.prefill(g, 4, CONTEXT), ModelRunner.Phase.PREFILL);
        dev.synchronize();
        say("KV of %d sequences x %d tokens filled by real prefills", maxBatch, CONTEXT);

        Map<String, Double> decode = new LinkedHashMap<>();
        Map<String, Object> byWaves = new LinkedHashMap<>();
        // Launches issued one by one first (the previous versions' path), then step graphs.
        dev.ops().useStepGraphs(0, dev.computeStream());
        dev.ops().setFuseGemv(false);
        for (int waves : new int[] {4}) {
            dev.ops().setSplitKWaves(waves);
            Map<String, Double> d = new LinkedHashMap<>();
            for (int b : new int[] {1, 8, 32, 64, 128}) {
                StepLayout l = layA.decode(0, b, CONTEXT);
                d.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 15));
                decode.merge(String.valueOf(b), d.get(String.valueOf(b)), Math::min);
                say("decode batch %3d (split-K to %d waves): %.2f ms", b, waves, d.get(String.valueOf(b)));
            }
            byWaves.put("splitk_waves_" + waves, d);
        }
        dev.ops().setSplitKWaves(4);
        json.put("decode_host_enqueue_ms", enqueueMs(a, layA));
        // The same steps replayed as CUDA graphs (StepGraphs), split-K to 4 waves.
        dev.ops().useStepGraphs(16, dev.computeStream());
        Map<String, Double> graphed = new LinkedHashMap<>();
        for (int b : new int[] {1, 8, 32, 64, 128}) {
            StepLayout l = layA.decode(0, b, CONTEXT);
            graphed.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 15));
            decode.merge(String.valueOf(b), graphed.get(String.valueOf(b)), Math::min);
            say("decode batch %3d (step graph): %.2f ms", b, graphed.get(String.valueOf(b)));
        }
        json.put("decode_ms_step_graphs", graphed);
        dev.ops().setFuseGemv(true);
        Map<String, Double> fused = new LinkedHashMap<>();
        for (int b : new int[] {1, 8}) {
            StepLayout l = layA.decode(0, b, CONTEXT);
            fused.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 15));
            decode.merge(String.valueOf(b), fused.get(String.valueOf(b)), Math::min);
            say("decode batch %3d (step graph, q/k/v and gate/up GEMVs merged): %.2f ms", b, fused.get(String.valueOf(b)));
        }
        json.put("decode_ms_step_graphs_fused_gemv", fused);

        // Tensor-core kernels for 9..64 rows, decode batches 32 and 64 (step graphs on).
        Map<String, Object> bySmallTile = new LinkedHashMap<>();
        String defaultSmall = dev.ops().tiles().smallName();
        boolean swapAbDefault = dev.ops().decodeKernels().swapAbEnabled();
        dev.ops().setSwapAbDecode(false);  // the tiles, not the swap-AB kernel
        for (String tile : dev.ops().tiles().smallNames()) {
            dev.ops().tiles().useSmall(tile);
            Map<String, Double> d = new LinkedHashMap<>();
            for (int b : new int[] {32, 64}) {
                StepLayout l = layA.decode(0, b, CONTEXT);
                d.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11));
                decode.merge(String.valueOf(b), d.get(String.valueOf(b)), Math::min);
                say("decode batch %3d (step graph, %s): %.2f ms", b, tile, d.get(String.valueOf(b)));
            }
            bySmallTile.put(tile, d);
        }
        dev.ops().tiles().useSmall(defaultSmall);
        dev.ops().setSwapAbDecode(swapAbDefault);
        json.put("decode_ms_step_graphs_by_small_tile", bySmallTile);

        // Kernels for 65..128 rows (aegaeon.cuda.midTile): decode batch 128 and a 128-token prefill.
        Map<String, Object> byMidTile = new LinkedHashMap<>();
        String defaultMid = dev.ops().tiles().midName();
        dev.ops().setSwapAbDecode(false);
        StepLayout p128 = shift(new BenchLayouts(BLOCK, 2048 / BLOCK, config.vocabSize()).prefill(0, 1, 128), prefillSeq * blocksPerSeq);
        StepLayout d128 = layA.decode(0, 128, CONTEXT);
        for (String tile : dev.ops().tiles().midNames()) {
            dev.ops().tiles().useMid(tile);
            Map<String, Double> d = new LinkedHashMap<>();
            d.put("decode_128", medianMs(() -> step(a, d128, ModelRunner.Phase.DECODE), 3, 11));
            d.put("prefill_128", medianMs(() -> step(a, p128, ModelRunner.Phase.PREFILL), 2, 5));
            decode.merge("128", d.get("decode_128"), Math::min);
            say("65..128 rows on %s: decode batch 128 %.2f ms, prefill 128 tokens %.2f ms", tile, d.get("decode_128"), d.get("prefill_128"));
            byMidTile.put(tile, d);
        }
        dev.ops().tiles().useMid(defaultMid);
        dev.ops().setSwapAbDecode(swapAbDefault);
        json.put("ms_by_mid_tile", byMidTile);

        // Decode attention on the GQA-aware kernel (each KV row read once for its query heads).
        CudaOptions.GqaDecode gqaBefore = dev.ops().attention().gqaDecode();
        boolean splitKvDefault = dev.ops().decodeKernels().splitKvEnabled();
        dev.ops().setSplitKvDecode(false);  // the split kernel would take precedence
        dev.ops().attention().setGqaDecode(CudaOptions.GqaDecode.AUTO);
        Map<String, Double> gqa = new LinkedHashMap<>();
        for (int b : new int[] {8, 32, 64, 128}) {
            StepLayout l = layA.decode(0, b, CONTEXT);
            gqa.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11));
            decode.merge(String.valueOf(b), gqa.get(String.valueOf(b)), Math::min);
            say("decode batch %3d (step graph, GQA decode attention AUTO): %.2f ms", b, gqa.get(String.valueOf(b)));
        }
        dev.ops().attention().setGqaDecode(gqaBefore);
        dev.ops().setSplitKvDecode(splitKvDefault);
        json.put("decode_ms_step_graphs_gqa_attention", gqa);

        // The decode kernels of DecodeKernels (swap-AB products, split-KV attention), each on and off.
        json.put("decode_ms_step_graphs_new_kernels", DecodeKernelBench.stepsOnOff(dev.ops(),
                b -> {
                    StepLayout l = layA.decode(0, b, CONTEXT);
                    return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11);
                },
                new int[] {1, 8, 32, 64, 128}, decode, line -> say("%s", line)));
        if (!skipped("splitKvMma")) {
            json.put("decode_ms_step_graphs_split_kv_mma", DecodeKernelBench.splitKvMmaOnOff(dev.ops(),
                    b -> {
                        StepLayout l = layA.decode(0, b, CONTEXT);
                        return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11);
                    },
                    new int[] {1, 8, 32, 64, 128}, decode, line -> say("%s", line)));
            json.put("decode_attention_split_us", DecodeKernelBench.splitAttentionUs(dev, line -> say("%s", line)));
        }
        json.put("decode_small_batch_swapab", DecodeKernelBench.smallBatchSwapAb(dev.ops(),
                b -> {
                    StepLayout l = layA.decode(0, b, CONTEXT);
                    return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11);
                },
                decode, line -> say("%s", line)));
        if (!skipped("cublasLt")) {
            java.util.function.IntToDoubleFunction decodeMs = b -> {
                StepLayout l = layA.decode(0, b, CONTEXT);
                return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11);
            };
            json.put("decode_ms_cublaslt_vs_own", DecodeKernelBench.cublasLtOnOff(dev.ops(), decodeMs, new int[] {16, 32, 64, 128}, line -> say("%s", line)));
            json.put("decode_ms_small_batches_cublaslt", DecodeKernelBench.cublasLtSmallBatches(dev.ops(), decodeMs, new int[] {1, 2, 4, 8}, line -> say("%s", line)));
        }
        // The prefill candidates (PrefillCandidates), which decode batches of 9 rows and more take too: all on, beside the defaults.
        List<PrefillCandidates.Candidate> candidates = PrefillCandidates.of(backend, dev.ops()).stream().filter(k -> !skipped(k.name())).toList();
        List<PrefillCandidates.Candidate> switches = new ArrayList<>(candidates);
        if (candidates.size() > 1) switches.add(PrefillCandidates.all(candidates));
        if (!candidates.isEmpty()) {
            json.putAll(PrefillCandidates.otherSetting("decode_ms", PrefillCandidates.all(candidates), candidates, () -> {
                Map<String, Double> m = new LinkedHashMap<>();
                for (int b : new int[] {16, 32, 64, 128}) {
                    StepLayout l = layA.decode(0, b, CONTEXT);
                    m.put(String.valueOf(b), medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11));
                    say("decode batch %d, all prefill candidates switched: %.3f ms", b, m.get(String.valueOf(b)));
                }
                return m;
            }));
        }
        json.put("decode_gemv_block_rows", DecodeKernelBench.gemvBlockRows(dev,
                b -> {
                    StepLayout l = layA.decode(0, b, CONTEXT);
                    return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 11);
                },
                decode, line -> say("%s", line)));
        json.put("decode_gemv_wide_vs_m1", DecodeKernelBench.gemvWideOnOff(dev,
                b -> {
                    StepLayout l = layA.decode(0, b, CONTEXT);
                    return medianMs(() -> step(a, l, ModelRunner.Phase.DECODE), 3, 15);
                },
                decode, line -> say("%s", line)));

        json.put("decode_host_enqueue_ms_step_graphs", enqueueMs(a, layA));
        long[] c = dev.ops().graphs().counters();
        json.put("step_graph_counters", Map.of("replays", c[0], "captures", c[1], "direct", c[2]));

        // Device time per kernel of one decode step, launches issued one by one with events.
        dev.ops().useStepGraphs(0, dev.computeStream());
        Map<String, Object> breakdown = new LinkedHashMap<>();
        for (int b : new int[] {1, 8, 64}) {
            StepLayout l = layA.decode(0, b, CONTEXT);
            step(a, l, ModelRunner.Phase.DECODE);
            dev.ops().startProfile();
            step(a, l, ModelRunner.Phase.DECODE);
            Map<String, Double> t = dev.ops().stopProfile();
            List<Map.Entry<String, Double>> sorted = new ArrayList<>(t.entrySet());
            sorted.sort(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()));
            StringBuilder line = new StringBuilder();
            for (var e : sorted) line.append(String.format(Locale.ROOT, " %s %.3f", e.getKey(), e.getValue()));
            say("decode batch %d kernel ms (sum %.2f):%s", b, t.values().stream().mapToDouble(Double::doubleValue).sum(), line);
            breakdown.put(String.valueOf(b), t);
        }
        json.put("decode_kernel_ms", breakdown);
        dev.ops().setFuseGemv(CudaOptions.current().fuseGemv());
        dev.ops().useStepGraphs(CudaOptions.current().stepGraphs(), dev.computeStream());
        json.put("decode_ms", decode);
        json.put("gemv_gbps", gemvGbps());
        json.put("product_gbps_swapab_vs_tiles", DecodeKernelBench.productGbps(dev, line -> say("%s", line)));
        json.put("decode_ms_by_splitk_policy", byWaves);
        json.put("decode_hbm_floor_ms", weightBytes / (hbm * 1e9) * 1e3);

        // Prefill products (M > 128) by tile kernel at 1,024 tokens; the fastest serves our path below.
        StepLayout l1024 = shift(new BenchLayouts(BLOCK, 2048 / BLOCK, config.vocabSize()).prefill(0, 1, 1024), prefillSeq * blocksPerSeq);
        Map<String, Double> byTile = PrefillKernelBench.msByLargeTile(dev.ops(), () -> medianMs(() -> step(a, l1024, ModelRunner.Phase.PREFILL), 2, 5),
                "prefill 1024 tokens", line -> say("%s", line));
        String bestTile = byTile.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(dev.ops().tiles().largeName());
        dev.ops().tiles().useLarge(bestTile);
        json.put("prefill_1024_ms_by_tile", byTile);
        json.put("prefill_tile", bestTile);
        // Where the prefill's time goes with that tile: device time per kernel, then the fused
        // bf16 operands (norm and silu_mul writing the products' input) off and on.
        Runnable prefillStep = () -> step(a, l1024, ModelRunner.Phase.PREFILL);
        json.put("prefill_kernel_ms", PrefillKernelBench.kernelMs(dev.ops(), prefillStep,
                "prefill 1024 tokens (" + bestTile + ", fusedBf16Operands " + backend.fusedBf16Operands() + ")", line -> say("%s", line)));
        if (!skipped("fusedBf16Operands")) {
            json.put("prefill_1024_fused_bf16_operands", PrefillKernelBench.fusedBf16OnOff(backend, dev.ops(),
                    () -> medianMs(prefillStep, 2, 5), prefillStep, "prefill 1024 tokens, " + bestTile, line -> say("%s", line)));
        }
        if (!skipped("prefillAttentionMma")) {
            json.put("prefill_1024_attention_mma", PrefillKernelBench.prefillAttentionMmaOnOff(dev.ops(), config.headDim(),
                    () -> medianMs(prefillStep, 2, 5), prefillStep, "prefill 1024 tokens, " + bestTile, line -> say("%s", line)));
        }
        // The experimental (or newly default) paths, each off and on, then all of them together.
        for (PrefillCandidates.Candidate k : switches) {
            json.put("prefill_1024_" + k.key(), PrefillCandidates.onOff(k, candidates, dev.ops(), () -> medianMs(prefillStep, 2, 5),
                    prefillStep, "prefill 1024 tokens, " + bestTile, line -> say("%s", line)));
        }
        if (!skipped("cublasLt")) {
            json.put("prefill_1024_cublaslt", PrefillKernelBench.cublasLtOnOff(dev.ops(),
                    () -> medianMs(prefillStep, 2, 5), prefillStep, "prefill 1024 tokens, " + bestTile, line -> say("%s", line)));
        }
        json.put("prefill_ms", prefillMs(a, config, prefillSeq * blocksPerSeq, ""));
        if (!skipped("cublasLt")) {
            // The other library's figures beside the default's.
            var before = dev.ops().gemmLibrary();
            boolean own = before == CudaOptions.GemmLibrary.CUBLASLT;
            try {
                dev.ops().setGemmLibrary(own ? CudaOptions.GemmLibrary.OWN : CudaOptions.GemmLibrary.CUBLASLT);
                json.put(own ? "prefill_ms_own" : "prefill_ms_cublaslt",
                        prefillMs(a, config, prefillSeq * blocksPerSeq, own ? " (our tiles, " + bestTile + ")" : " (cuBLASLt)"));
            } finally {
                dev.ops().setGemmLibrary(before);
            }
        }
        for (PrefillCandidates.Candidate k : switches) {
            // Each candidate's other setting beside the defaults' figures, then all of them together.
            json.putAll(PrefillCandidates.otherSetting("prefill_ms", k, candidates,
                    () -> prefillMs(a, config, prefillSeq * blocksPerSeq, " (" + k.name() + (k.on().getAsBoolean() ? " on)" : " off)"))));
        }
        if (!Double.isNaN(o.matmulTflops())) {
            double tflops = o.matmulTflops();
            json.put("matmul_tflops_measured", tflops);
            json.put("prefill_1024_floor_ms", 2.0 * config.parameterCount() * 1024 / (tflops * 1e12) * 1e3);
        }

        List<Weight> weights = inForwardOrder(a.weights());
        long loadBytes = weights.stream().mapToLong(Weight::byteSize).sum();
        double[] scale = new double[3];
        for (int i = 0; i < scale.length; i++) {
            weights.forEach(backend::evict);
            long s = System.nanoTime();
            weights.forEach(backend::prefetch);
            backend.awaitWeightLoads();
            scale[i] = secs(s);
        }
        double scaleup = median(scale);
        json.put("scaleup_s", scaleup);
        json.put("scaleup_gbps", loadBytes / scaleup / 1e9);
        json.put("scaleup_floor_s", loadBytes / (pcie * 1e9));
        say("scale-up %.3f s (%.1f GB/s, %.0f%% of pinned H2D)", scaleup, loadBytes / scaleup / 1e9, 100 * loadBytes / scaleup / 1e9 / pcie);

        StepLayout prompt = shift(new BenchLayouts(BLOCK, 2048 / BLOCK, config.vocabSize()).prefill(0, 1, CONTEXT),
                prefillSeq * blocksPerSeq);
        double[] ttft = new double[3];
        for (int i = 0; i < ttft.length; i++) {
            weights.forEach(backend::evict);
            long s = System.nanoTime();
            weights.forEach(backend::prefetch);
            step(a, prompt, ModelRunner.Phase.PREFILL);
            ttft[i] = secs(s);
        }
        json.put("cold_ttft_s", median(ttft));
        say("cold TTFT (512-token prompt, pipelined load): %.3f s", median(ttft));

        new SwitchBench(dev, backend, config, runs, json).run(a, layA);
        json.put("arena", backend.occupancy().toString());
        if (o.vllmProfiles() != null) json.put("vllm", VllmProfiles.qwen7bH100(o.vllmProfiles(), CONTEXT));
        Files.createDirectories(o.out().toAbsolutePath().getParent());
        Files.writeString(o.out(), BenchJson.write(json) + "\n");
        say("wrote %s", o.out());
        System.out.print(BenchTable.table(json));
    }

    /**
     * Host time to queue one decode step (forward() returns once every launch is queued): when it
     * approaches the step time, launches from Java, not the GPU, set the pace.
     */
    private Map<String, Double> enqueueMs(ModelRunner a, BenchLayouts lay) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int b : new int[] {1, 64}) {
            StepLayout l = lay.decode(0, b, CONTEXT);
            double[] t = new double[10];
            for (int i = 0; i < t.length + 2; i++) {
                dev.synchronize();
                long s = System.nanoTime();
                a.forward(l, ModelRunner.Phase.DECODE);
                dev.flush(); // with step graphs, launches are queued here
                if (i >= 2) t[i - 2] = (System.nanoTime() - s) / 1e6;
            }
            dev.synchronize();
            m.put(String.valueOf(b), median(t));
            say("decode batch %d: host enqueue of the forward pass %.2f ms", b, median(t));
        }
        return m;
    }

    /** Weight bytes per second of one GEMV launch (the 7B gate shape), timed with device events. */
    private Map<String, Double> gemvGbps() {
        int n = 18944, k = 3584;
        Map<String, Double> m = new LinkedHashMap<>();
        DeviceRegion w = dev.arena().allocateOrThrow(2L * n * k, "probe"), x = dev.arena().allocateOrThrow(4L * 8 * k, "probe"),
                y = dev.arena().allocateOrThrow(4L * 8 * n, "probe");
        dev.ops().fillUniform(dev.computeStream(), w.ptr(), (long) n * k, 3, 0.05f, 0f);
        cuMemsetD32Async(x.ptr(), Float.floatToIntBits(0.5f), 8L * k, dev.computeStream());
        var start = CudaDevice.newTimingEvent();
        var end = CudaDevice.newTimingEvent();
        for (int rows : new int[] {1, 8}) {
            for (int i = 0; i < 3; i++) dev.ops().matmul(dev.computeStream(), x.ptr(), null, w.ptr(), CudaOps.NONE, y.ptr(), true, rows, n, k, null);
            cuEventRecord(start, dev.computeStream());
            int reps = 50;
            for (int i = 0; i < reps; i++) dev.ops().matmul(dev.computeStream(), x.ptr(), null, w.ptr(), CudaOps.NONE, y.ptr(), true, rows, n, k, null);
            cuEventRecord(end, dev.computeStream());
            cuEventSynchronize(end);
            float[] ms = new float[1];
            cuEventElapsedTime(ms, start, end);
            double gbps = 2.0 * n * k * reps / (ms[0] / 1e3) / 1e9;
            m.put(String.valueOf(rows), gbps);
            say("GEMV %d row(s) x [%d x %d] bf16: %.0f GB/s of weights", rows, n, k, gbps);
        }
        dev.arena().free(w);
        dev.arena().free(x);
        dev.arena().free(y);
        return m;
    }

    /** The same layout on blocks starting at {@code firstBlock}. */
    private static StepLayout shift(StepLayout l, int firstBlock) {
        int[] slots = l.slotMapping().clone(), tables = l.blockTables().clone();
        for (int i = 0; i < slots.length; i++) slots[i] += firstBlock * BLOCK;
        for (int i = 0; i < tables.length; i++) tables[i] += firstBlock;
        return new StepLayout(l.tokenIds(), l.positions(), slots, l.queryStart(), l.contextLengths(), tables,
                l.maxBlocksPerSeq(), l.logitRows());
    }

    private static List<Weight> inForwardOrder(ModelWeights w) {
        LinkedHashSet<Weight> all = new LinkedHashSet<>();
        all.add(w.embed());
        for (ModelWeights.Layer l : w.layers()) {
            for (Weight x : new Weight[] {l.attnNorm(), l.q(), l.k(), l.v(), l.qBias(), l.kBias(), l.vBias(), l.qNorm(),
                    l.kNorm(), l.o(), l.mlpNorm(), l.gate(), l.up(), l.down()}) {
                if (x != null) all.add(x);
            }
        }
        all.add(w.finalNorm());
        all.add(w.lmHead());
        return new ArrayList<>(all);
    }

    private double hbmGbps() {
        long bytes = 2L << 30;
        DeviceRegion src = dev.arena().allocateOrThrow(bytes, "bandwidth probe"), dst = dev.arena().allocateOrThrow(bytes, "bandwidth probe");
        dev.ops().fillUniform(dev.computeStream(), src.ptr(), bytes / 2, 1, 1f, 0f);
        double ms = medianMs(() -> cuMemcpyDtoDAsync(dst.ptr(), src.ptr(), bytes, dev.computeStream()), 2, 10);
        dev.arena().free(src);
        dev.arena().free(dst);
        return 2.0 * bytes / (ms / 1e3) / 1e9;
    }

    private double pinnedGbps() {
        long bytes = 1L << 30; // JCuda maps pinned memory as one ByteBuffer: below 2 GiB
        Pointer host = CudaDevice.allocPinned(bytes);
        DeviceRegion dst = dev.arena().allocateOrThrow(bytes, "bandwidth probe");
        double ms = medianMs(() -> cuMemcpyHtoDAsync(dst.ptr(), host, bytes, dev.computeStream()), 1, 5);
        dev.arena().free(dst);
        cuMemFreeHost(host);
        return bytes / (ms / 1e3) / 1e9;
    }

    private double medianMs(Runnable r, int warm, int reps) { return runs.medianMs(r, warm, reps); }

    private ModelRunner runner(long seed, int blocks) { return runs.runner(seed, blocks); }

    /** Median prefill step at 128, 1024 and 2048 tokens (KV placed after {@code firstBlock}). */
    private Map<String, Double> prefillMs(ModelRunner a, ModelConfig config, int firstBlock, String label) {
        Map<String, Double> prefill = new LinkedHashMap<>();
        for (int t : new int[] {128, 1024, 2048}) {
            StepLayout l = new BenchLayouts(BLOCK, 2048 / BLOCK, config.vocabSize()).prefill(0, 1, t);
            StepLayout shifted = shift(l, firstBlock);
            prefill.put(String.valueOf(t), medianMs(() -> step(a, shifted, ModelRunner.Phase.PREFILL), 2, 5));
            say("prefill %4d tokens%s: %.2f ms", t, label, prefill.get(String.valueOf(t)));
        }
        return prefill;
    }

    /**
     * Sections that switch a kernel on for comparison can be left out by name ({@code --skip}): a
     * device run skips the ones whose conformance probe failed, since a faulting kernel ends the
     * whole bench.
     */
    static boolean skipped(String section) {
        return skip.contains(section);
    }


}
