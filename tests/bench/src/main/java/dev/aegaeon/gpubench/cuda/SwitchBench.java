package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.kv.CudaKvCache;
import dev.aegaeon.runtime.cuda.kv.KvSwapper;
import dev.aegaeon.runtime.engine.ModelRunner;
import dev.aegaeon.runtime.model.ModelConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.aegaeon.gpubench.cuda.BenchRuns.BLOCK;
import static dev.aegaeon.gpubench.cuda.BenchRuns.CONTEXT;
import static dev.aegaeon.gpubench.cuda.BenchRuns.say;
import static dev.aegaeon.gpubench.cuda.BenchRuns.secs;
import static dev.aegaeon.gpubench.cuda.BenchRuns.step;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * {@link CudaBench}'s figures of moving between models: a switch between two resident models at
 * batch 8, the KV swap rates of {@link KvSwapper} with a second model decoding beside a swap-out,
 * and the engine's own KV swap path (pinned and pageable).
 */
final class SwitchBench {
    private final CudaDevice dev;
    private final CudaBackend backend;
    private final ModelConfig config;
    private final BenchRuns runs;
    private final Map<String, Object> json;
    /** The second resident model and its decode step, from {@link #residentSwitch} on. */
    private ModelRunner modelB;
    private StepLayout decodeB;

    SwitchBench(CudaDevice dev, CudaBackend backend, ModelConfig config, BenchRuns runs, Map<String, Object> json) {
        this.dev = dev;
        this.backend = backend;
        this.config = config;
        this.runs = runs;
        this.json = json;
    }

    /** Measures all three into the bench's JSON; {@code a} is the bench's model, prefilled on {@code layA}'s blocks. */
    void run(ModelRunner a, BenchLayouts layA) {
        residentSwitch(a, layA);
        kvSwap(layA);
        backendKvSwap(layA);
    }

    private void residentSwitch(ModelRunner a, BenchLayouts layA) {
        int batch = 8, blocksPerSeq = (CONTEXT + 1 + BLOCK - 1) / BLOCK;
        ModelRunner b = runs.runner(12, (batch + 1) * blocksPerSeq);
        BenchLayouts layB = new BenchLayouts(BLOCK, blocksPerSeq, config.vocabSize());
        b.forward(layB.prefill(0, batch, CONTEXT), ModelRunner.Phase.PREFILL);
        StepLayout da = layA.decode(0, batch, CONTEXT), db = layB.decode(0, batch, CONTEXT);
        double ta = runs.medianMs(() -> step(a, da, ModelRunner.Phase.DECODE), 3, 15);
        double tb = runs.medianMs(() -> step(b, db, ModelRunner.Phase.DECODE), 3, 15);
        double pair = runs.medianMs(() -> {
            step(a, da, ModelRunner.Phase.DECODE);
            step(b, db, ModelRunner.Phase.DECODE);
        }, 3, 15);
        double perSwitch = (pair - ta - tb) / 2;
        json.put("resident_switch_ms", perSwitch);
        json.put("resident_switch_detail", Map.of("batch", batch, "a_ms", ta, "b_ms", tb, "alternating_pair_ms", pair));
        say("two resident models, batch %d: A %.2f ms, B %.2f ms, A+B alternating %.2f ms -> %.3f ms per switch",
                batch, ta, tb, pair, perSwitch);
        this.modelB = b;
        this.decodeB = db;
    }

    private void kvSwap(BenchLayouts layA) {
        int seqs = 64;
        var cache = backend.kvCaches().get(0);
        List<int[]> blocks = new ArrayList<>();
        for (int s = 0; s < seqs; s++) blocks.add(layA.blocksOf(s, CONTEXT));
        long bytes = 0;
        for (int[] b : blocks) bytes += (long) b.length * ((CudaKvCache) cache).blockBytes();
        try (KvSwapper swapper = new KvSwapper(dev, bytes + (64L << 20))) {
            dev.synchronize();
            long s = System.nanoTime();
            List<KvSwapper.Swap> out = new ArrayList<>();
            for (int[] b : blocks) out.add(swapper.swapOut(cache, b));
            cuStreamSynchronize(dev.swapStream());
            double outS = secs(s);
            s = System.nanoTime();
            for (int i = 0; i < seqs; i++) swapper.swapIn(cache, out.get(i), blocks.get(i));
            cuStreamSynchronize(dev.swapStream());
            double inS = secs(s);
            // Overlap: model B decodes while model A's KV drains.
            dev.synchronize();
            out.clear();
            for (int[] b : blocks) out.add(swapper.swapOut(cache, b));
            long d = System.nanoTime();
            step(modelB, decodeB, ModelRunner.Phase.DECODE);
            double overlappedMs = secs(d) * 1e3;
            cuStreamSynchronize(dev.swapStream());
            for (int i = 0; i < seqs; i++) swapper.swapIn(cache, out.get(i), blocks.get(i));
            dev.synchronize();
            json.put("kv_swap_gbps", Map.of("out", bytes / outS / 1e9, "in", bytes / inS / 1e9));
            json.put("kv_swap_bytes", bytes);
            json.put("decode_b_during_swap_out_ms", overlappedMs);
            say("KV swap of %d x %d tokens (%.2f GB): out %.1f GB/s, in %.1f GB/s; B decode during swap-out %.2f ms",
                    seqs, CONTEXT, bytes / 1e9, bytes / outS / 1e9, bytes / inS / 1e9, overlappedMs);
        }
    }

    /**
     * The engine's swap ({@code readKvBlocks}/{@code writeKvBlocks}, bf16 on the device, fp32 on
     * the host) through the pinned staging path and the pageable one, 8 sequences of CONTEXT
     * tokens each: GB/s of device bytes, conversion included. A failure is recorded, not fatal,
     * so the rest of the bench still reports.
     */
    private void backendKvSwap(BenchLayouts layA) {
        var cache = backend.kvCaches().get(0);
        int[] blocks = java.util.stream.IntStream.range(0, 8).flatMap(q -> java.util.Arrays.stream(layA.blocksOf(q, CONTEXT)))
                .toArray();
        long bytes = (long) blocks.length * ((CudaKvCache) cache).blockBytes();
        Map<String, Object> gbps = new LinkedHashMap<>();
        try {
            for (boolean pinned : new boolean[] {true, false}) {
                backend.usePinnedKvCopies(pinned);
                float[][] host = new float[1][];
                double out = runs.medianMs(() -> host[0] = backend.readKvBlocks(cache, blocks), 1, 5);
                double in = runs.medianMs(() -> backend.writeKvBlocks(cache, blocks, host[0]), 1, 5);
                String path = pinned ? "pinned" : "pageable";
                gbps.put(path, Map.of("out", bytes / out / 1e6, "in", bytes / in / 1e6));
                say("backend KV swap (%s) of %.2f GB: out %.2f GB/s, in %.2f GB/s", path, bytes / 1e9,
                        bytes / out / 1e6, bytes / in / 1e6);
            }
        } catch (RuntimeException e) {
            gbps.put("error", e.toString());
            say("backend KV swap failed: %s", e);
        } finally {
            backend.usePinnedKvCopies(true);
        }
        json.put("backend_kv_swap_gbps", gbps);
    }
}
