package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The prefill paths still experimental or newly made default (which decode batches on cuBLASLt take
 * too), timed beside the other setting:
 * each alone, then all of them together (the candidate defaults), with a counter of how often each
 * path really ran so that a figure of a path that never ran cannot pass for one.
 */
final class PrefillCandidates {
    /** One switch: its option name, JSON key, state, setter and run counter. */
    record Candidate(String name, String key, BooleanSupplier on, Consumer<Boolean> set, LongSupplier ran) {}

    private PrefillCandidates() {}

    static List<Candidate> of(CudaBackend backend, CudaOps ops) {
        return List.of(
                new Candidate("bf16Mlp", "bf16_mlp", backend::bf16Mlp, backend::useBf16Mlp, backend::bf16MlpActivations),
                new Candidate("residualEpilogue", "residual_epilogue", backend::residualEpilogue, backend::useResidualEpilogue,
                        ops::cublasLtAccumulates),
                new Candidate("bf16OnlyInputs", "bf16_only_inputs", backend::bf16OnlyInputs, backend::useBf16OnlyInputs,
                        backend::bf16OnlyInputWrites),
                new Candidate("pairedProducts", "paired_products", backend::pairedProducts, backend::usePairedProducts,
                        backend::pairedProductRuns));
    }

    /** The candidate whose option is {@code name} ("bf16Mlp", "residualEpilogue", "bf16OnlyInputs", "pairedProducts") on {@code backend}. */
    static Candidate named(CudaBackend backend, String name) {
        return of(backend, backend.device().ops()).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no prefill candidate " + name));
    }

    /** Every candidate as one switch ("all_candidates"): on sets them all, off clears them all; restoring sets each back. */
    static Candidate all(List<Candidate> each) {
        return new Candidate("allCandidates", "all_candidates", () -> each.stream().allMatch(c -> c.on().getAsBoolean()),
                on -> each.forEach(c -> c.set().accept(on)), () -> each.stream().mapToLong(c -> c.ran().getAsLong()).sum());
    }

    /**
     * The step off, then on, with the kernel breakdown of each ({@link PrefillKernelBench#onOff}), and
     * "ran_while_on": how often the path ran meanwhile. Every candidate's setting is restored after.
     */
    static Map<String, Object> onOff(Candidate c, List<Candidate> each, CudaOps ops, DoubleSupplier stepMs, Runnable step,
                                     String label, java.util.function.Consumer<String> say) {
        return restoring(each, () -> {
            long before = c.ran().getAsLong();
            Map<String, Object> r = new LinkedHashMap<>(PrefillKernelBench.onOff(c.name(), c.on().getAsBoolean(), c.set(), ops, stepMs,
                    step, label, say));
            r.put("ran_while_on", c.ran().getAsLong() - before);
            return r;
        });
    }

    /**
     * {@code figures} with the candidate in the setting that is not the default ("FIGURE_KEY_on" or
     * "_off"), every setting restored after; that key with the figures, and "FIGURE_KEY_ran": how
     * often the path ran meanwhile.
     */
    static Map<String, Object> otherSetting(String figure, Candidate c, List<Candidate> each, Supplier<Object> figures) {
        return restoring(each, () -> {
            boolean before = c.on().getAsBoolean();
            long ran = c.ran().getAsLong();
            c.set().accept(!before);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put(figure + "_" + c.key() + (before ? "_off" : "_on"), figures.get());
            r.put(figure + "_" + c.key() + "_ran", c.ran().getAsLong() - ran);
            return r;
        });
    }

    private static Map<String, Object> restoring(List<Candidate> each, Supplier<Map<String, Object>> body) {
        boolean[] before = new boolean[each.size()];
        for (int i = 0; i < before.length; i++) before[i] = each.get(i).on().getAsBoolean();
        try {
            return body.get();
        } finally {
            for (int i = 0; i < before.length; i++) each.get(i).set().accept(before[i]);
        }
    }
}
