package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.config.CudaOptions;

import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.kernels.PrefillAttentionKernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * CudaBench's view of one prefill step: device time per kernel (launches issued one by one, an
 * event pair around each: prefill steps are never recorded as graphs), split into the matrix
 * products and everything else, and the step with the fused bf16 operands
 * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#fusedBf16Operands}), with the bf16 MLP
 * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#bf16Mlp}) and with the FlashAttention-2-style prefill
 * attention ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#prefillAttentionMma}) off and on in the same run. Prints
 * what it measures.
 */
final class PrefillKernelBench {
    private PrefillKernelBench() {}

    /**
     * Milliseconds per kernel of one {@code step} (after one unprofiled warm-up step), largest
     * first, with "sum_ms", "products_ms" (the GEMM and GEMV kernels) and "other_ms" (everything
     * else, split-K reduction included) added; the per-kernel figures are under "kernels".
     */
    static Map<String, Object> kernelMs(CudaOps ops, Runnable step, String label, Consumer<String> say) {
        step.run();
        ops.startProfile();
        step.run();
        Map<String, Double> t = ops.stopProfile();
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(t.entrySet());
        sorted.sort(Map.Entry.comparingByValue(Comparator.reverseOrder()));
        Map<String, Double> kernels = new LinkedHashMap<>();
        double sum = 0, products = 0;
        StringBuilder line = new StringBuilder();
        for (var e : sorted) {
            kernels.put(e.getKey(), e.getValue());
            sum += e.getValue();
            if (isProduct(e.getKey())) products += e.getValue();
            line.append(String.format(Locale.ROOT, " %s %.3f", e.getKey(), e.getValue()));
        }
        say.accept(String.format(Locale.ROOT, "%s kernel ms (sum %.2f, products %.2f, other %.2f):%s",
                label, sum, products, sum - products, line));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sum_ms", sum);
        m.put("products_ms", products);
        m.put("other_ms", sum - products);
        m.put("kernels", kernels);
        return m;
    }

    /** Matrix-product kernels (tensor-core tiles, GEMV, swap-AB, fp32); not the split-K reduction. */
    static boolean isProduct(String kernel) {
        if (kernel.equals("gemm_splitk_reduce")) return false;
        return kernel.startsWith("gemm") || kernel.startsWith("gemv") || kernel.startsWith("linear_f32") || kernel.equals("cublasLt");
    }

    /**
     * The prefill step with the fused bf16 operands off, then on: median milliseconds from
     * {@code stepMs} and the kernel breakdown of each; the backend's setting is restored.
     */
    static Map<String, Object> fusedBf16OnOff(CudaBackend backend, CudaOps ops, DoubleSupplier stepMs, Runnable step,
                                              String label, Consumer<String> say) {
        return onOff("fusedBf16Operands", backend.fusedBf16Operands(), backend::useFusedBf16Operands, ops, stepMs, step,
                label, say);
    }

    /**
     * The prefill step with prefill attention on attention.cu's wmma kernel, then on
     * prefill_attention_mma.cu ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#prefillAttentionMma}), as
     * {@link #fusedBf16OnOff}; "mma_kernel_loaded" says whether "on" really ran the new kernel for
     * {@code headDim} (it falls back where its module did not load).
     */
    static Map<String, Object> prefillAttentionMmaOnOff(CudaOps ops, int headDim, DoubleSupplier stepMs, Runnable step,
                                                        String label, Consumer<String> say) {
        PrefillAttentionKernels k = ops.attention().prefillKernels();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("mma_kernel_loaded", k.loaded(headDim));
        all.putAll(onOff("prefillAttentionMma", k.mmaEnabled(), ops.attention()::setPrefillAttentionMma, ops, stepMs, step, label, say));
        return all;
    }

    /**
     * The step's median ms with each large (more than 128 rows) tile, on our kernels: cuBLASLt would
     * bypass the tiles and time them all alike. The library is restored; the last tile stays selected.
     */
    static Map<String, Double> msByLargeTile(CudaOps ops, DoubleSupplier stepMs, String label, Consumer<String> say) {
        Map<String, Double> byTile = new LinkedHashMap<>();
        var library = ops.gemmLibrary();
        ops.setGemmLibrary(CudaOptions.GemmLibrary.OWN);
        try {
            for (String tile : ops.tiles().largeNames()) {
                ops.tiles().useLarge(tile);
                byTile.put(tile, stepMs.getAsDouble());
                say.accept(String.format(Locale.ROOT, "%s, %s: %.2f ms", label, tile, byTile.get(tile)));
            }
        } finally {
            ops.setGemmLibrary(library);
        }
        return byTile;
    }

    /**
     * The prefill step with the products on our kernels, then on cuBLASLt
     * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#gemmLibrary}), as {@link #fusedBf16OnOff};
     * "cublaslt_products" counts the products cuBLASLt really ran (0: the library is absent).
     */
    static Map<String, Object> cublasLtOnOff(CudaOps ops, DoubleSupplier stepMs, Runnable step, String label, Consumer<String> say) {
        var before = ops.gemmLibrary();
        long ranBefore = ops.cublasLtProducts();
        Map<String, Object> all = new LinkedHashMap<>(onOff("cublasLt", before == CudaOptions.GemmLibrary.CUBLASLT,
                on -> ops.setGemmLibrary(on ? CudaOptions.GemmLibrary.CUBLASLT : CudaOptions.GemmLibrary.OWN), ops, stepMs, step, label, say));
        all.put("cublaslt_products", ops.cublasLtProducts() - ranBefore);
        return all;
    }

    /** The step with a switch off, then on ("NAME_off", "NAME_on"): median ms and kernel breakdown; the switch restored to {@code before}. */
    static Map<String, Object> onOff(String switchName, boolean before, Consumer<Boolean> set, CudaOps ops,
                                             DoubleSupplier stepMs, Runnable step, String label, Consumer<String> say) {
        Map<String, Object> all = new LinkedHashMap<>();
        try {
            for (boolean on : new boolean[] {false, true}) {
                set.accept(on);
                String name = switchName + "_" + (on ? "on" : "off");
                double ms = stepMs.getAsDouble();
                say.accept(String.format(Locale.ROOT, "%s (%s): %.2f ms", label, name, ms));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ms", ms);
                m.put("kernel_ms", kernelMs(ops, step, label + " (" + name + ")", say));
                all.put(name, m);
            }
        } finally {
            set.accept(before);
        }
        return all;
    }
}
