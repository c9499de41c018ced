package dev.aegaeon.gpubench.cuda;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prefill breakdown's split of kernels into matrix products and everything else (CPU only). */
class PrefillKernelBenchTest {
    @ParameterizedTest
    @ValueSource(strings = {"gemm_wgmma_128x256", "gemm_128x128_k64", "gemm_mma_128x256_k64", "gemm_swapab_n8", "gemv_m1",
            "gemv_group_m4", "linear_f32"})
    void productKernels(String kernel) {
        assertTrue(PrefillKernelBench.isProduct(kernel), kernel);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemm_splitk_reduce", "f32_to_bf16", "add_rmsnorm", "add_rmsnorm_bf16out", "silu_mul_bf16out", "silu_mul_bf16",
            "prefill_attention_hd128", "prefill_attention_mma_hd128", "rope", "kv_write", "embedding", "sample_tokens", "?"})
    void otherKernels(String kernel) {
        assertFalse(PrefillKernelBench.isProduct(kernel), kernel);
    }
}
