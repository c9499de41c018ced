package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.config.CudaOptions.GemmLibrary;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kernels.DecodeKernels;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;

import jcuda.Pointer;

import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

/**
 * CudaBench's comparisons of the decode kernels of {@link DecodeKernels}: decode steps with each
 * new kernel on and off in the same run, the split attention alone with and without its
 * tensor-core first pass, and the weight-streaming rate of the products of 9..128
 * rows on the swap-AB kernel against the tensor-core tiles. Prints what it measures.
 */
final class DecodeKernelBench {
    private DecodeKernelBench() {}

    /**
     * Median decode-step milliseconds per batch for: both new kernels off (the earlier path),
     * swap-AB products only, split-KV attention only, both; the switches are restored afterwards.
     * Every figure is also offered to {@code best} (per batch, the minimum is kept).
     */
    static Map<String, Object> stepsOnOff(CudaOps ops, IntToDoubleFunction stepMs, int[] batches,
                                          Map<String, Double> best, Consumer<String> say) {
        DecodeKernels k = ops.decodeKernels();
        boolean swapBefore = k.swapAbEnabled(), splitBefore = k.splitKvEnabled(), deepBefore = k.swapAbDeepEnabled();
        int minBefore = k.swapAbMinRows(), maxBefore = k.swapAbMaxRows();
        Map<String, Object> all = new LinkedHashMap<>();
        try {
            ops.setSwapAbMinRows(9);  // "swap-AB on" here: the products of 9..128 rows, as when these kernels came
            ops.setSwapAbMaxRows(128);
            for (boolean[] c : new boolean[][] {{false, false, false}, {true, false, false}, {false, true, false},
                    {true, true, false}, {true, true, true}}) {
                ops.setSwapAbDecode(c[0]);
                ops.setSplitKvDecode(c[1]);
                ops.setSwapAbDeep(c[2]);
                String name = "swapAb_" + (c[0] ? (c[2] ? "deep" : "on") : "off") + "_splitKv_" + (c[1] ? "on" : "off");
                all.put(name, perBatch(name, stepMs, batches, best, say));
            }
        } finally {
            ops.setSwapAbDecode(swapBefore);
            ops.setSplitKvDecode(splitBefore);
            ops.setSwapAbDeep(deepBefore);
            ops.setSwapAbMinRows(minBefore);
            ops.setSwapAbMaxRows(maxBefore);
        }
        return all;
    }

    /** Device milliseconds of {@code reps} back-to-back runs of {@code once} on {@code s}, after 3 unmeasured ones. */
    private static float eventMs(jcuda.driver.CUstream s, jcuda.driver.CUevent start, jcuda.driver.CUevent end, Runnable once, int reps) {
        for (int i = 0; i < 3; i++) once.run();
        cuEventRecord(start, s);
        for (int i = 0; i < reps; i++) once.run();
        cuEventRecord(end, s);
        cuEventSynchronize(end);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, start, end);
        return ms[0];
    }

    /** One configuration's step time per batch, each also offered to {@code best}. */
    private static Map<String, Double> perBatch(String name, IntToDoubleFunction stepMs, int[] batches,
                                                Map<String, Double> best, Consumer<String> say) {
        Map<String, Double> d = new LinkedHashMap<>();
        for (int b : batches) {
            double ms = stepMs.applyAsDouble(b);
            d.put(String.valueOf(b), ms);
            best.merge(String.valueOf(b), ms, Math::min);
            say.accept(String.format(Locale.ROOT, "decode batch %3d (step graph, %s): %.2f ms", b, name, ms));
        }
        return d;
    }

    /**
     * Median decode-step milliseconds per batch with the split attention's first pass on tensor
     * cores (aegaeon.cuda.splitKvMma) and on the shuffle kernels, split attention on for both;
     * the switches are restored afterwards. Every figure is also offered to {@code best}.
     */
    static Map<String, Object> splitKvMmaOnOff(CudaOps ops, IntToDoubleFunction stepMs, int[] batches,
                                               Map<String, Double> best, Consumer<String> say) {
        DecodeKernels k = ops.decodeKernels();
        boolean splitBefore = k.splitKvEnabled(), mmaBefore = k.splitKvMmaEnabled();
        Map<String, Object> all = new LinkedHashMap<>();
        try {
            ops.setSplitKvDecode(true);
            for (boolean mma : new boolean[] {false, true}) {
                ops.setSplitKvMma(mma);
                String name = "splitKvMma_" + (mma ? "on" : "off");
                all.put(name, perBatch(name, stepMs, batches, best, say));
            }
        } finally {
            ops.setSplitKvDecode(splitBefore);
            ops.setSplitKvMma(mmaBefore);
        }
        return all;
    }

    /**
     * The split decode attention alone (first pass + combine, launched back to back; device events
     * around 20 calls) at the Qwen2.5-7B shape (28 query heads, 4 KV heads, head 128, 16-token
     * pages in shuffled order), 512 keys per sequence, with the tensor-core first pass off and on:
     * microseconds per layer, the same x 28 layers in ms per step, and K/V GB/s.
     */
    static Map<String, Double> splitAttentionUs(CudaDevice dev, Consumer<String> say) {
        CudaOps ops = dev.ops();
        DecodeKernels k = ops.decodeKernels();
        boolean splitBefore = k.splitKvEnabled(), mmaBefore = k.splitKvMmaEnabled();
        int heads = 28, kvHeads = 4, hd = 128, page = 16, context = 512, layers = 28, maxBatch = 128;
        int maxPages = (context + page - 1) / page, pages = maxBatch * maxPages;
        long pageElems = 2L * page * kvHeads * hd;  // one layer: K then V
        int[] tables = new int[pages];
        for (int i = 0; i < pages; i++) tables[i] = i;
        Random rnd = new Random(11);
        for (int i = pages - 1; i > 0; i--) { int j = rnd.nextInt(i + 1), t = tables[i]; tables[i] = tables[j]; tables[j] = t; }
        int[] seq = new int[maxBatch], pos = new int[maxBatch];
        for (int i = 0; i < maxBatch; i++) { seq[i] = i; pos[i] = context - 1; }
        DeviceRegion pool = dev.arena().allocateOrThrow(2L * pages * pageElems, "probe"),
                q = dev.arena().allocateOrThrow(4L * maxBatch * heads * hd, "probe"),
                out = dev.arena().allocateOrThrow(4L * maxBatch * heads * hd, "probe"),
                tab = dev.arena().allocateOrThrow(4L * pages, "probe"),
                seqs = dev.arena().allocateOrThrow(4L * maxBatch, "probe"),
                poss = dev.arena().allocateOrThrow(4L * maxBatch, "probe"),
                ws = dev.arena().allocateOrThrow(ops.matmulWorkspaceBytes(), "probe");
        var s = dev.computeStream();
        Map<String, Double> r = new LinkedHashMap<>();
        try {
            ops.prepareWorkspace(ws.ptr());
            ops.fillUniform(s, pool.ptr(), pages * pageElems, 17, 1f, 0f);
            cuMemsetD32Async(q.ptr(), Float.floatToIntBits(0.05f), (long) maxBatch * heads * hd, s);
            dev.synchronize();
            cuMemcpyHtoD(tab.ptr(), Pointer.to(tables), 4L * pages);
            cuMemcpyHtoD(seqs.ptr(), Pointer.to(seq), 4L * maxBatch);
            cuMemcpyHtoD(poss.ptr(), Pointer.to(pos), 4L * maxBatch);
            var start = CudaDevice.newTimingEvent();
            var end = CudaDevice.newTimingEvent();
            ops.setSplitKvDecode(true);
            for (int b : new int[] {1, 8, 32, 64, 128}) {
                for (boolean mma : new boolean[] {false, true}) {
                    ops.setSplitKvMma(mma);
                    Runnable once = () -> ops.attention().decodeAttention(s, q.ptr(), heads * hd, out.ptr(), heads * hd, pool.ptr(),
                            pageElems, 0, page, heads, kvHeads, hd, seqs.ptr(), poss.ptr(), tab.ptr(), maxPages, b,
                            context, (float) (1 / Math.sqrt(hd)), ws.ptr());
                    int reps = 20;
                    double us = eventMs(s, start, end, once, reps) * 1e3 / reps;
                    double gbps = 2.0 * 2 * b * kvHeads * context * hd / (us / 1e6) / 1e9;
                    String name = "b" + b + "_splitKvMma_" + (mma ? "on" : "off");
                    r.put(name + "_us_per_layer", us);
                    r.put(name + "_gbps", gbps);
                    say.accept(String.format(Locale.ROOT,
                            "decode attention batch %3d x %d keys (28/4 heads, hd 128), splitKvMma %s: %.1f us per layer"
                                    + " = %.2f ms per 28-layer step, %.0f GB/s of K/V", b, context, mma ? "on " : "off", us,
                            us * layers / 1e3, gbps));
                }
            }
        } finally {
            ops.setSplitKvDecode(splitBefore);
            ops.setSplitKvMma(mmaBefore);
            dev.synchronize();
            for (DeviceRegion d : new DeviceRegion[] {pool, q, out, tab, seqs, poss, ws}) dev.arena().free(d);
        }
        return r;
    }

    /**
     * Decode steps of batches 2..16 on the swap-AB kernels (x rounded to bf16) against the GEMV
     * (fp32 x, 2..8 rows) and the tiles (16): swapAbDecode with swapAbMinRows 2 and swapAbMaxRows 16
     * against swapAbDecode off; every switch is restored after. (Until 2026-12-07 this sweep moved
     * only swapAbMinRows, with swapAbDecode off, so it never ran the swap-AB kernel.)
     */
    static Map<String, Double> smallBatchSwapAb(CudaOps ops, IntToDoubleFunction stepMs, Map<String, Double> best,
                                                Consumer<String> say) {
        var k = ops.decodeKernels();
        boolean on = k.swapAbEnabled();
        int minRows = k.swapAbMinRows(), maxRows = k.swapAbMaxRows();
        Map<String, Double> r = new LinkedHashMap<>();
        try {
            // The GEMV (2..8 rows) and tiles (16), then swap-AB for 2..16 rows only: the products of
            // small batches read each weight once on tensor cores, larger batches keep the tiles.
            for (boolean swap : new boolean[] {false, true}) {
                ops.setSwapAbDecode(swap);
                ops.setSwapAbMinRows(2);
                ops.setSwapAbMaxRows(16);
                for (int b : new int[] {2, 4, 5, 6, 7, 8, 16}) {
                    double ms = stepMs.applyAsDouble(b);
                    if (b == 8) best.merge("8", ms, Math::min);
                    String how = swap ? "swapab_2_to_16" : b <= 8 ? "gemv" : "tiles";
                    r.put("b" + b + "_" + how, ms);
                    say.accept(String.format(Locale.ROOT, "decode batch %3d (step graph, %s): %.2f ms", b, how, ms));
                }
            }
        } finally {
            ops.setSwapAbDecode(on);
            ops.setSwapAbMinRows(minRows);
            ops.setSwapAbMaxRows(maxRows);
        }
        return r;
    }

    /**
     * Decode steps (recorded, replayed as graphs) with the products of more than 8 rows on our
     * kernels and on cuBLASLt, captured into the step graphs (aegaeon.cuda.gemmLibrary); the
     * setting is restored after. Empty where the machine has no cuBLASLt.
     */
    static Map<String, Double> cublasLtOnOff(CudaOps ops, IntToDoubleFunction stepMs, int[] batches, Consumer<String> say) {
        var before = ops.gemmLibrary();
        Map<String, Double> r = new LinkedHashMap<>();
        try {
            for (var lib : new GemmLibrary[] {GemmLibrary.OWN, GemmLibrary.CUBLASLT}) {
                ops.setGemmLibrary(lib);
                boolean ran = timeBatches(ops, stepMs, batches, lib.name().toLowerCase(Locale.ROOT), "products on " + lib, r, say);
                if (lib == GemmLibrary.CUBLASLT && !ran) {
                    say.accept("cuBLASLt ran no product (library absent): the CUBLASLT figures are our kernels'");
                    r.clear();
                }
            }
        } finally {
            ops.setGemmLibrary(before);
        }
        return r;
    }

    /**
     * Decode steps of up to 8 rows with cuBLASLt as the library, their products left on the GEMV and
     * swap-AB kernels ({@code cublasLtMinRows} 9, the default) and then asked onto cuBLASLt (1); both
     * settings restored after. Keys "bB_minR". Empty where the machine has no cuBLASLt.
     */
    static Map<String, Double> cublasLtSmallBatches(CudaOps ops, IntToDoubleFunction stepMs, int[] batches, Consumer<String> say) {
        var library = ops.gemmLibrary();
        int minRows = ops.cublasLtMinRows();
        Map<String, Double> r = new LinkedHashMap<>();
        try {
            ops.setGemmLibrary(GemmLibrary.CUBLASLT);
            for (int rows : new int[] {9, 1}) {
                ops.setCublasLtMinRows(rows);
                boolean ran = timeBatches(ops, stepMs, batches, "min" + rows, "cublasLtMinRows " + rows, r, say);
                if (rows == 1 && !ran) {
                    say.accept("cuBLASLt ran no product (library absent): no small-batch figures");
                    r.clear();
                }
            }
        } finally {
            ops.setGemmLibrary(library);
            ops.setCublasLtMinRows(minRows);
        }
        return r;
    }

    /** Times each batch under the current setting into {@code r} ("bB_SUFFIX"); true when cuBLASLt ran a product meanwhile. */
    private static boolean timeBatches(CudaOps ops, IntToDoubleFunction stepMs, int[] batches, String suffix, String setting,
                                       Map<String, Double> r, Consumer<String> say) {
        long products = ops.cublasLtProducts();
        for (int b : batches) {
            double ms = stepMs.applyAsDouble(b);
            r.put("b" + b + "_" + suffix, ms);
            say.accept(String.format(Locale.ROOT, "decode batch %3d (step graph, %s): %.2f ms", b, setting, ms));
        }
        return ops.cublasLtProducts() > products;
    }

    /**
     * The gate-shaped (18944 x 3584) bf16 weight and an fp32 x of {@code m} rows on the device, for
     * timing one GEMV launch of whatever kernel the ops pick now; frees what it took on close.
     */
    private static final class GemvProbe implements AutoCloseable {
        static final int N = 18944, K = 3584;
        private final CudaDevice dev;
        private final int m;
        private final DeviceRegion w, x, y;
        private final jcuda.driver.CUevent start = CudaDevice.newTimingEvent(), end = CudaDevice.newTimingEvent();

        GemvProbe(CudaDevice dev, int m) {
            this.dev = dev;
            this.m = m;
            w = dev.arena().allocateOrThrow(2L * N * K, "probe");
            x = dev.arena().allocateOrThrow(4L * m * K, "probe");
            y = dev.arena().allocateOrThrow(4L * m * N, "probe");
            dev.ops().fillUniform(dev.computeStream(), w.ptr(), (long) N * K, 5, 0.05f, 0f);
            cuMemsetD32Async(x.ptr(), Float.floatToIntBits(0.5f), (long) m * K, dev.computeStream());
        }

        /** Weight GB/s of 50 launches (after 3 unmeasured), device events around them. */
        double gbps() {
            var s = dev.computeStream();
            Runnable once = () -> dev.ops().matmul(s, x.ptr(), null, w.ptr(), CudaOps.NONE, y.ptr(), true, m, N, K, null);
            int reps = 50;
            return 2.0 * N * K * reps / (eventMs(s, start, end, once, reps) / 1e3) / 1e9;
        }

        @Override
        public void close() {
            dev.synchronize();
            for (DeviceRegion d : new DeviceRegion[] {w, x, y}) dev.arena().free(d);
        }
    }

    /**
     * Decode steps of batches 4 and 8 and the gate-shaped GEMV's GB/s at 8 rows with 2, 4 and 8
     * weight rows per block of the 3..8-row GEMVs (aegaeon.cuda.gemvBlockRows); the setting is
     * restored after.
     */
    static Map<String, Double> gemvBlockRows(CudaDevice dev, IntToDoubleFunction stepMs, Map<String, Double> best,
                                             Consumer<String> say) {
        CudaOps ops = dev.ops();
        int before = ops.gemvBlockRows();
        boolean swapBefore = ops.decodeKernels().swapAbEnabled();
        Map<String, Double> r = new LinkedHashMap<>();
        try (GemvProbe probe = new GemvProbe(dev, 8)) {
            ops.setSwapAbDecode(false);  // 8 rows on the GEMV, not swap-AB
            for (int rows : new int[] {2, 4, 8}) {
                ops.setGemvBlockRows(rows);
                for (int b : new int[] {4, 8}) {
                    double ms = stepMs.applyAsDouble(b);
                    best.merge(Integer.toString(b), ms, Math::min);
                    r.put("decode_ms_b" + b + "_rows" + rows, ms);
                    say.accept(String.format(Locale.ROOT, "decode batch %3d (step graph, GEMV %d rows per block): %.2f ms", b, rows, ms));
                }
                double gbps = probe.gbps();
                r.put("gbps_m8_rows" + rows, gbps);
                say.accept(String.format(Locale.ROOT, "GEMV 8 rows x [%d x %d] bf16, %d rows per block: %.0f GB/s of weights",
                        GemvProbe.N, GemvProbe.K, rows, gbps));
            }
        } finally {
            ops.setGemvBlockRows(before);
            ops.setSwapAbDecode(swapBefore);
        }
        return r;
    }

    /**
     * Batch-1 decode steps and the gate-shaped GEMV's GB/s with the wide batch-1 GEMV kernels and
     * with gemv_m1 (aegaeon.cuda.gemvWide); the switch is restored after.
     */
    static Map<String, Double> gemvWideOnOff(CudaDevice dev, IntToDoubleFunction stepMs, Map<String, Double> best,
                                             Consumer<String> say) {
        CudaOps ops = dev.ops();
        boolean before = ops.gemvWide();
        Map<String, Double> r = new LinkedHashMap<>();
        try (GemvProbe probe = new GemvProbe(dev, 1)) {
            for (boolean wide : new boolean[] {false, true}) {
                ops.setGemvWide(wide);
                String name = wide ? "gemv_wide_m1" : "gemv_m1";
                double ms = stepMs.applyAsDouble(1);
                best.merge("1", ms, Math::min);
                r.put("decode_ms_b1_" + name, ms);
                say.accept(String.format(Locale.ROOT, "decode batch   1 (step graph, %s): %.2f ms", name, ms));
                double gbps = probe.gbps();
                r.put("gbps_" + name, gbps);
                say.accept(String.format(Locale.ROOT, "GEMV 1 row x [%d x %d] bf16, %s: %.0f GB/s of weights", GemvProbe.N, GemvProbe.K, name, gbps));
            }
        } finally {
            ops.setGemvWide(before);
        }
        return r;
    }

    /**
     * Weight GB/s of one product launch, swap-AB kernel and tiles (bf16 x prepared once, as the
     * backend's shadow would be), for the 7B gate (18944 x 3584), q/o (3584 x 3584) and down
     * (3584 x 18944) shapes at 16, 64 and 128 rows; device events around 30 launches.
     */
    static Map<String, Double> productGbps(CudaDevice dev, Consumer<String> say) {
        CudaOps ops = dev.ops();
        boolean swapBefore = ops.decodeKernels().swapAbEnabled(), deepBefore = ops.decodeKernels().swapAbDeepEnabled();
        int maxRowsBefore = ops.decodeKernels().swapAbMaxRows();
        ops.setSwapAbMaxRows(128);  // 16..128 rows on swap-AB when it is on
        int maxRows = 128, maxN = 18944, maxK = 18944;
        long wElems = 3584L * 18944;
        DeviceRegion w = dev.arena().allocateOrThrow(2L * wElems, "probe"),
                x = dev.arena().allocateOrThrow(4L * maxRows * maxK, "probe"),
                xb = dev.arena().allocateOrThrow(2L * maxRows * maxK, "probe"),
                y = dev.arena().allocateOrThrow(4L * maxRows * maxN, "probe"),
                ws = dev.arena().allocateOrThrow(ops.matmulWorkspaceBytes(), "probe");
        var s = dev.computeStream();
        Map<String, Double> m = new LinkedHashMap<>();
        try {
            ops.prepareWorkspace(ws.ptr());
            ops.fillUniform(s, w.ptr(), wElems, 3, 0.05f, 0f);
            cuMemsetD32Async(x.ptr(), Float.floatToIntBits(0.5f), (long) maxRows * maxK, s);
            ops.toBf16(s, x.ptr(), xb.ptr(), (long) maxRows * maxK);
            var start = CudaDevice.newTimingEvent();
            var end = CudaDevice.newTimingEvent();
            for (int[] shape : new int[][] {{18944, 3584}, {3584, 3584}, {3584, 18944}}) {
                int n = shape[0], k = shape[1];
                for (int rows : new int[] {16, 64, 128}) {
                    for (String variant : new String[] {"swapab", "swapab_deep", "tiles"}) {
                        boolean swap = !variant.equals("tiles");
                        ops.setSwapAbDecode(swap);
                        ops.setSwapAbDeep(variant.equals("swapab_deep"));
                        Runnable once = () -> ops.matmul(s, x.ptr(), xb.ptr(), w.ptr(), CudaOps.NONE, y.ptr(), true, rows, n, k, ws.ptr());
                        int reps = 30;
                        double gbps = 2.0 * n * k * reps / (eventMs(s, start, end, once, reps) / 1e3) / 1e9;
                        String key = variant + "_" + rows + "x" + n + "x" + k;
                        m.put(key, gbps);
                        say.accept(String.format(Locale.ROOT, "product %3d rows x [%d x %d] bf16, %s: %.0f GB/s of weights",
                                rows, n, k, swap ? variant : "tiles (" + ops.tiles().smallName() + ")", gbps));
                    }
                }
            }
        } finally {
            ops.setSwapAbMaxRows(maxRowsBefore);
            ops.setSwapAbDecode(swapBefore);
            ops.setSwapAbDeep(deepBefore);
            dev.synchronize();
            for (DeviceRegion r : new DeviceRegion[] {w, x, xb, y, ws}) dev.arena().free(r);
        }
        return m;
    }
}
