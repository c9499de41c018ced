package dev.aegaeon.runtime.cuda.config;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The CUDA backend's kernel and copy choices, read once from the {@code aegaeon.cuda.*} system
 * properties ({@link #current()}), validated and logged in one line. This is the only class that
 * reads those properties; the table in gpu-runtime/README.md lists {@link #KEYS} (a test keeps the
 * two in step). Keys marked experimental select kernels that have not passed on a GPU; they are off
 * by default.
 *
 * @param fuseGemv             merge up to three GEMVs of the same input into one launch in recorded steps
 * @param stepGraphs           decode-step CUDA graphs kept (0: every launch issued directly, no GEMV merging)
 * @param largeTile            GEMM kernel for more than 128 rows, or null for the first loaded default
 * @param midTile              GEMM kernel for 65..128 rows, or null for the first loaded default
 * @param smallTile            GEMM kernel for 9..64 rows, or null for the first loaded default
 * @param excludeTiles         GEMM kernels left out (not selectable, not benchmarked)
 * @param gemvWide             batch-1 products on gemv_wide (more rows per block) instead of gemv_m1
 * @param gemvBlockRows        rows of W per block of the 3..8-row GEMVs (2, 4 or 8; more rows read x fewer times)
 * @param gqaDecode            when decode attention (without the split) takes the GQA-aware kernel
 * @param swapAbDecode         products of swapAbMinRows..swapAbMaxRows rows on the swap-AB kernel instead of the GEMV or the tiles
 * @param swapAbDeep           the swap-AB kernels' deep variants for 17..128 rows
 * @param swapAbMinRows        fewest rows that take the swap-AB kernel (2..129; 9 keeps 2..8 on the GEMV)
 * @param swapAbMaxRows        most rows that take the swap-AB kernel (2..128; below 128 leaves larger products on the tiles)
 * @param splitKvDecode        decode attention split over keys (flash-decoding) where the shape allows
 * @param splitKvMma           the split attention's first pass on tensor cores (head sizes 64, 128)
 * @param fusedBf16Operands    norms and silu_mul write the next product's bf16 operand in the same pass
 * @param bf16Mlp              the gate and up products write bf16 on cuBLASLt and silu_mul_bf16 writes the down product's operand, no fp32 in between
 * @param residualEpilogue     experimental: the attention output and down products add into the residual stream in cuBLASLt's epilogue, and the next norm reads only it
 * @param pairedProducts       experimental: k and v, and the bf16 MLP's gate and up, as one batched cuBLASLt call each
 * @param bf16OnlyInputs       norms and prefill attention write only the bf16 operand of tensors that only products read
 * @param prefillAttentionMma  prefill attention on prefill_attention_mma.cu (head sizes 64, 128), else on attention.cu
 * @param pinnedKvCopies       KV swaps through a pinned staging buffer instead of pageable per-block copies
 * @param kvStagingBytes       size of that pinned staging buffer
 * @param gemmLibrary          products of more than 8 rows on cuBLASLt where it is found (decode steps' too, inside their graphs)
 * @param cublasLtMinRows      fewest rows of a product that cuBLASLt takes (1..9; 9 leaves 1..8 rows on the GEMV and swap-AB kernels)
 * @param kernelArch           which kernel images load: the device's own (AUTO) or the generic PTX path (GENERIC)
 * @param deviceMemory         weights and KV mapped on demand from one budget (where the device allows), or the weight pool as one allocation
 */
public record CudaOptions(boolean fuseGemv, int stepGraphs, String largeTile, String midTile, String smallTile,
                          Set<String> excludeTiles, boolean gemvWide, int gemvBlockRows, GqaDecode gqaDecode, boolean swapAbDecode,
                          boolean swapAbDeep, int swapAbMinRows, int swapAbMaxRows, boolean splitKvDecode, boolean splitKvMma,
                          boolean fusedBf16Operands, boolean bf16Mlp, boolean residualEpilogue, boolean bf16OnlyInputs,
                          boolean pairedProducts, boolean prefillAttentionMma,
                          boolean pinnedKvCopies,
                          long kvStagingBytes, GemmLibrary gemmLibrary, int cublasLtMinRows, KernelArch kernelArch,
                          DeviceMemory deviceMemory) {

    /** Prefix of every key. */
    public static final String PREFIX = "aegaeon.cuda.";

    /** When decode attention (without the split over keys) takes the GQA-aware kernel. */
    public enum GqaDecode {
        /** Never: the per-query-head kernel. */
        OFF,
        /** When tokens x KV heads give at least one block per multiprocessor. */
        AUTO,
        /** Whenever the shape allows (tests). */
        ALWAYS
    }

    /** Who computes the tensor-core matrix products. */
    public enum GemmLibrary {
        /** Our kernels (gemm*.cu): always available, the oracle. */
        OWN,
        /** NVIDIA's cuBLASLt where the machine has it (our kernels where it has not, or offers no algorithm). */
        CUBLASLT
    }

    /** Which kernel images a GPU loads (see KernelImageChoice). */
    public enum KernelArch {
        /** The device's own SASS (else PTX), and the sm_90a wgmma module on Hopper. */
        AUTO,
        /** The compute_80 PTX on every card and no sm_90a module: the Ampere code path, wgmma off. */
        GENERIC
    }

    /** How a device's memory is held. */
    public enum DeviceMemory {
        /** One allocation for weights and workspaces at start; each KV cache a region of it, whole. */
        ONE_ALLOCATION,
        /**
         * Addresses reserved and memory mapped as it is used, from one budget per device: weight
         * regions as they are allocated, KV caches block by block as sequences take blocks, so
         * every model's KV draws on the memory the weights leave (the shared KV pool of issue 21).
         */
        ON_DEMAND
    }

    /** One documented key: its name without {@link #PREFIX}, its default as written, whether experimental, what it does. */
    public record Key(String name, String defaultValue, boolean experimental, String description) {}

    /** Every key, in the order of the README table. */
    public static final List<Key> KEYS = List.of(
            new Key("stepGraphs", "16", false, "decode-step CUDA graphs kept; 0 issues every launch directly"),
            new Key("fuseGemv", "true", false, "merge up to three GEMVs of one input (q/k/v, gate/up) into one launch in recorded steps"),
            new Key("largeTile", "", false, "GEMM kernel for > 128 rows; empty: first loaded of gemm_wgmma_128x256, gemm_mma_128x128_k64, gemm_128x128_k64"),
            new Key("midTile", "", false, "GEMM kernel for 65..128 rows; empty: first loaded of gemm_wgmma_128x128, gemm_mma_128x128_k64, gemm_128x64"),
            new Key("smallTile", "", false, "GEMM kernel for 9..64 rows; empty: first loaded of gemm_wgmma_128x128, gemm_mma_128x128_k64, gemm_64x64"),
            new Key("excludeTiles", "", false, "comma-separated GEMM kernels to leave out (a kernel that fails on a device, without a rebuild)"),
            new Key("gemvWide", "false", false, "batch-1 products on gemv_wide instead of gemv_m1"),
            new Key("gemvBlockRows", "4", false, "rows of W per 256-thread block of the GEMVs of 3..8 batch rows: 2, 4 or 8 (each thread reads its slices of x once per that many weight rows; bit-identical results; 4 measured fastest at batch 4 on an H100)"),
            new Key("gqaDecode", "OFF", false, "OFF, AUTO or ALWAYS: the GQA-aware decode attention when the split attention does not apply"),
            new Key("splitKvDecode", "true", false, "decode attention split over keys (flash-decoding) where the shape allows"),
            new Key("splitKvMma", "true", false, "the split attention's first pass on tensor cores for head sizes 64 and 128"),
            new Key("swapAbDecode", "true", false, "products of swapAbMinRows..swapAbMaxRows rows on the swap-AB kernel instead of the GEMV (up to 8 rows) or the tensor-core tiles (more)"),
            new Key("swapAbDeep", "false", false, "the swap-AB kernels' deep variants for 17..128 rows"),
            new Key("swapAbMinRows", "8", false, "fewest rows that take the swap-AB kernel (2..129); 8: decode batch 8 on an H100 8.08 ms against 10.49 on the GEMV"),
            new Key("swapAbMaxRows", "8", false, "most rows that take the swap-AB kernel (2..128); 8: from 9 rows the tiles measured faster (16 rows 9.70 ms against 10.50)"),
            new Key("fusedBf16Operands", "true", false, "norms and silu_mul write the next product's bf16 operand in the same pass"),
            new Key("bf16Mlp", "true", false, "with fusedBf16Operands and the products on cuBLASLt, from 9 rows: the MLP's gate and up products write bf16 (fp32 accumulation) into their bf16 operands and silu_mul_bf16 writes the down product's operand from them, so no fp32 [rows x intermediate] is written or read; gate's fp32 values are then stale, and any op but the products and copies to the host that reads them fails. On an H100 the 7B's prefill 1,024 took 25.25 ms against 28.06 (and 25.77 against 27.67 in another run); the suite (229 cases), HF's fixtures and every CPU-parity case of 9 rows or more passed with it and bf16OnlyInputs on (it does not apply below 9 rows)"),
            new Key("residualEpilogue", "false", true, "with the products on cuBLASLt: the attention output and down products add into the residual stream in cuBLASLt's epilogue (beta 1, fp32, in place), and the next norm reads only the residual, instead of the product written to a scratch tensor and re-read with the residual by the norm; the same fp32 sums. On an H100 its conformance cases and the CPU parity passed; it took the 7B's norms at 1,024 tokens from 1.61 to 1.14 ms but not the step's time (28.28 against 28.43 ms)"),
            new Key("bf16OnlyInputs", "true", false, "with fusedBf16Operands, from 9 rows where the products read bf16 operands: the norms and the tensor-core prefill attention write only the bf16 operand of the tensors that only products read (the engine's normed rows and attention output), not their fp32 values, which are then stale as the bf16 MLP's gate is. On an H100 the suite (229 cases), HF's fixtures and every CPU-parity case of 9 rows or more passed with it and the bf16 MLP on; the 7B's prefill 128 / 1,024 / 2,048 took 7.90 / 25.54 / 50.70 ms with both, 8.25 / 28.07 / 53.94 with the bf16 MLP off and 8.12 / 25.43 / 51.59 with this off (one run)"),
            new Key("pairedProducts", "false", true, "with the products on cuBLASLt: k and v (with their biases in the epilogue), and the bf16 MLP's gate and up, each as one strided-batched call of two products instead of two calls, so the library schedules both products' tiles at once (a GQA model's k and v are narrow: 512 outputs on the 7B). Two calls are made where cuBLASLt declines the pair or the biases and outputs do not lie in the weights' address order (batch strides are non-negative). On an H100 its conformance cases and the CPU parity passed; the 7B's prefill 1,024 took 25.29 against 25.82 ms in one on/off section, but the products' device time did not fall (20.99 against 20.88 ms), and 128 / 1,024 / 2,048 tokens took 7.55 / 25.51 / 50.33 against 7.90 / 25.54 / 50.70: within the run's noise"),
            new Key("prefillAttentionMma", "true", false, "prefill attention (head sizes 64, 128) on prefill_attention_mma.cu, the tensor-core FlashAttention-2-style kernel (false: the scalar attention.cu kernel, the oracle); on an H100 it takes 1.82 ms of the 7B's prefill 1,024 against 8.78, and the suite and both model parities pass with it"),
            new Key("pinnedKvCopies", "true", false, "KV swaps through a pinned staging buffer; false: pageable copies block by block"),
            new Key("kvStagingBytes", "268435456", false, "bytes of the pinned KV staging buffer"),
            new Key("gemmLibrary", "CUBLASLT", false, "CUBLASLT or OWN: products of more than 8 rows on NVIDIA's cuBLASLt when a libcublasLt.so is found (in recorded decode steps too, captured into their graphs; bf16 biases in its epilogue), else on our kernels with one warning; OWN: our kernels always (the oracle). On an H100 with prefillAttentionMma the 7B's prefill 1,024 takes 27.3 ms against 38.8, decode batch 64 7.8 against 11.1"),
            new Key("cublasLtMinRows", "9", false, "with gemmLibrary=CUBLASLT, the fewest rows of a product that go to cuBLASLt (1..9); 9 keeps batches of up to 8 rows on the GEMV and swap-AB kernels, which read fp32 activations. cuBLASLt is faster from 2 rows (on an H100, GEMV or swap-AB against cuBLASLt: decode b1 6.16 against 6.94 ms, b2 7.17 against 6.89, b4 7.48 against 6.99, b8 8.01 against 7.01) but reads them rounded to bf16, which took the 7B's 6-token prompt logits to 2.25e-2 of the largest logit from the CPU engine's (bound 2e-2; 1.2e-2 on the GEMV), so it stays opt-in"),
            new Key("kernelArch", "AUTO", false, "AUTO: the GPU's own kernel images (sm_90a wgmma on Hopper); GENERIC: the compute_80 PTX, wgmma off (the Ampere path on any card)"),
            new Key("deviceMemory", "ON_DEMAND", false, "ON_DEMAND or ONE_ALLOCATION: weights and KV mapped chunk by chunk from one budget per device (CUDA virtual memory), so KV caches grow with use and every model shares the memory the weights leave, and freed weight chunks stay mapped for the next model; ONE_ALLOCATION holds the device's memory as one allocation and each model a fixed KV pool. On a device without virtual memory management ON_DEMAND falls back to ONE_ALLOCATION with one warning. The whole suite and both parities passed over ON_DEMAND on an H100"));

    private static final Logger LOG = Logger.getLogger(CudaOptions.class.getName());
    private static volatile CudaOptions current;

    public CudaOptions {
        if (gemvBlockRows != 2 && gemvBlockRows != 4 && gemvBlockRows != 8) {
            throw new IllegalArgumentException(PREFIX + "gemvBlockRows must be 2, 4 or 8, got " + gemvBlockRows);
        }
        if (stepGraphs < 0) throw new IllegalArgumentException(PREFIX + "stepGraphs must be >= 0, got " + stepGraphs);
        if (swapAbMinRows < 2 || swapAbMinRows > 129) {
            throw new IllegalArgumentException(PREFIX + "swapAbMinRows must be in 2..129, got " + swapAbMinRows);
        }
        if (swapAbMaxRows < 2 || swapAbMaxRows > 128) {
            throw new IllegalArgumentException(PREFIX + "swapAbMaxRows must be in 2..128, got " + swapAbMaxRows);
        }
        if (kvStagingBytes <= 0) throw new IllegalArgumentException(PREFIX + "kvStagingBytes must be positive, got " + kvStagingBytes);
        if (kernelArch == null) throw new IllegalArgumentException(PREFIX + "kernelArch must be AUTO or GENERIC");
        if (gqaDecode == null) throw new IllegalArgumentException(PREFIX + "gqaDecode must be OFF, AUTO or ALWAYS");
        if (gemmLibrary == null) throw new IllegalArgumentException(PREFIX + "gemmLibrary must be OWN or CUBLASLT");
        if (cublasLtMinRows < 1 || cublasLtMinRows > 9) {
            throw new IllegalArgumentException(PREFIX + "cublasLtMinRows must be in 1..9, got " + cublasLtMinRows);
        }
        if (deviceMemory == null) throw new IllegalArgumentException(PREFIX + "deviceMemory must be ONE_ALLOCATION or ON_DEMAND");
        excludeTiles = Set.copyOf(excludeTiles);
        largeTile = blankToNull(largeTile);
        midTile = blankToNull(midTile);
        smallTile = blankToNull(smallTile);
    }

    /** The defaults of {@link #KEYS}. */
    public static CudaOptions defaults() {
        return from(new Properties());
    }

    /**
     * The options of this process: read from the system properties on first use, validated and
     * logged in one line; later calls return the same record.
     */
    public static CudaOptions current() {
        CudaOptions c = current;
        if (c == null) {
            synchronized (CudaOptions.class) {
                if (current == null) {
                    current = from(System.getProperties());
                    LOG.info(current.summary());
                }
                c = current;
            }
        }
        return c;
    }

    /**
     * The options in {@code props} (keys with {@link #PREFIX}); absent keys take their defaults. An
     * unknown {@code aegaeon.cuda.} key or a malformed value is an IllegalArgumentException naming it.
     */
    public static CudaOptions from(Properties props) {
        Set<String> known = KEYS.stream().map(Key::name).collect(Collectors.toSet());
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(PREFIX) && !known.contains(name.substring(PREFIX.length()))) {
                throw new IllegalArgumentException("unknown CUDA option " + name + "; known: " + known);
            }
        }
        Reader r = new Reader(props);
        return new CudaOptions(r.bool("fuseGemv"), r.value("stepGraphs", Integer::parseInt), r.raw("largeTile"), r.raw("midTile"),
                r.raw("smallTile"), r.list("excludeTiles"), r.bool("gemvWide"), r.value("gemvBlockRows", Integer::parseInt),
                r.value("gqaDecode", v -> GqaDecode.valueOf(v.strip().toUpperCase(Locale.ROOT))), r.bool("swapAbDecode"),
                r.bool("swapAbDeep"), r.value("swapAbMinRows", Integer::parseInt),
                r.value("swapAbMaxRows", Integer::parseInt), r.bool("splitKvDecode"), r.bool("splitKvMma"),
                r.bool("fusedBf16Operands"), r.bool("bf16Mlp"), r.bool("residualEpilogue"), r.bool("bf16OnlyInputs"),
                r.bool("pairedProducts"), r.bool("prefillAttentionMma"),
                r.bool("pinnedKvCopies"),
                r.value("kvStagingBytes", Long::parseLong),
                r.value("gemmLibrary", v -> GemmLibrary.valueOf(v.strip().toUpperCase(Locale.ROOT))),
                r.value("cublasLtMinRows", Integer::parseInt),
                r.value("kernelArch", v -> KernelArch.valueOf(v.strip().toUpperCase(Locale.ROOT))),
                r.value("deviceMemory", v -> DeviceMemory.valueOf(v.strip().toUpperCase(Locale.ROOT))));
    }

    /** One log line: every option and its value, experimental ones marked. */
    public String summary() {
        return "CUDA options: fuseGemv=" + fuseGemv + " stepGraphs=" + stepGraphs
                + " largeTile=" + orDefault(largeTile) + " midTile=" + orDefault(midTile) + " smallTile=" + orDefault(smallTile)
                + " excludeTiles=" + excludeTiles + " gemvWide=" + gemvWide + " gemvBlockRows=" + gemvBlockRows + " gqaDecode=" + gqaDecode
                + " splitKvDecode=" + splitKvDecode + " splitKvMma=" + splitKvMma + " swapAbDecode=" + swapAbDecode
                + " swapAbDeep=" + swapAbDeep + " swapAbMinRows=" + swapAbMinRows + " swapAbMaxRows=" + swapAbMaxRows + " fusedBf16Operands=" + fusedBf16Operands
                + " bf16Mlp=" + bf16Mlp + " residualEpilogue=" + residualEpilogue + (residualEpilogue ? "(experimental)" : "")
                + " bf16OnlyInputs=" + bf16OnlyInputs + " pairedProducts=" + pairedProducts + (pairedProducts ? "(experimental)" : "")
                + " prefillAttentionMma=" + prefillAttentionMma
                + " pinnedKvCopies=" + pinnedKvCopies + " kvStagingBytes=" + kvStagingBytes + " kernelArch=" + kernelArch
                + " gemmLibrary=" + gemmLibrary + " cublasLtMinRows=" + cublasLtMinRows
                + " deviceMemory=" + deviceMemory;
    }

    private static String orDefault(String tile) { return tile == null ? "default" : tile; }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }

    /** Typed reads of one property set, each falling back to the key's documented default. */
    private record Reader(Properties props) {
        String raw(String name) {
            String v = props.getProperty(PREFIX + name);
            return v != null ? v : KEYS.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow().defaultValue();
        }

        <T> T value(String name, Function<String, T> parse) {
            String v = raw(name);
            try {
                return parse.apply(v.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + name + ": cannot read '" + v + "'", e);
            }
        }

        boolean bool(String name) {
            return value(name, v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("not true or false");
            });
        }

        Set<String> list(String name) {
            return Arrays.stream(raw(name).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
    }
}
