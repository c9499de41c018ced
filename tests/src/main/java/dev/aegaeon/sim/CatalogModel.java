package dev.aegaeon.sim;

import dev.aegaeon.scheduler.DistServeCostModel;
import dev.aegaeon.scheduler.KvPaging;
import dev.aegaeon.scheduler.ModelSpec;

/**
 * An architecture of the simulated market: parameter count, the DistServe shape, KV bytes per
 * token (2 x layers x KV heads x head dim x 2 bytes, bf16), the profile it was measured under
 * (null when none: coefficients then come from the per-GPU pooled fit) and its tensor-parallel
 * degree.
 */
public record CatalogModel(String arch, double params, DistServeCostModel.Shape shape, long kvBytesPerToken, String profileKey,
                           int tensorParallel) {

    public long weightBytes() {
        return (long) (params * 2);
    }

    /** A model instance of this architecture under a distinct name (a market has many of each). */
    public ModelSpec spec(String name) {
        return new ModelSpec(name, weightBytes(), kvBytesPerToken);
    }

    /** {@link #spec(String)} with KV counted in whole pages of {@code kvPageBytes} (0: token by token), as the worker's page pool holds it. */
    public ModelSpec spec(String name, long kvPageBytes) {
        if (kvPageBytes == 0) return spec(name);
        return new ModelSpec(name, weightBytes(), kvBytesPerToken, KvPaging.pages(kvPageBytes, kvBytesPerToken));
    }

    private static long kv(int layers, int kvHeads, int headDim) {
        return 2L * layers * kvHeads * headDim * 2;
    }

    public static final CatalogModel QWEN1_5_1_8B = new CatalogModel("qwen1.5-1.8b", 1.84e9, new DistServeCostModel.Shape(24, 2048, 5504), kv(24, 16, 128), null, 1);
    public static final CatalogModel QWEN2_5_3B = new CatalogModel("qwen2.5-3b", 3.09e9, new DistServeCostModel.Shape(36, 2048, 11008), kv(36, 2, 128), null, 1);
    public static final CatalogModel QWEN2_5_7B = new CatalogModel("qwen2.5-7b", 7.62e9, new DistServeCostModel.Shape(28, 3584, 18944), kv(28, 4, 128), "qwen2_5_7b", 1);
    public static final CatalogModel YI1_5_9B = new CatalogModel("yi-1.5-9b", 8.83e9, new DistServeCostModel.Shape(48, 4096, 11008), kv(48, 4, 128), "yi1_5_9b_chat", 1);
    public static final CatalogModel LLAMA2_13B = new CatalogModel("llama-2-13b", 13.0e9, new DistServeCostModel.Shape(40, 5120, 13824), kv(40, 40, 128), "llama2_13b_chat", 1);
    public static final CatalogModel QWEN1_5_14B = new CatalogModel("qwen1.5-14b", 14.2e9, new DistServeCostModel.Shape(40, 5120, 13696), kv(40, 40, 128), null, 1);
    public static final CatalogModel QWEN2_5_32B = new CatalogModel("qwen2.5-32b", 32.8e9, new DistServeCostModel.Shape(64, 5120, 27648), kv(64, 8, 128), null, 1);
    public static final CatalogModel QWEN2_5_72B = new CatalogModel("qwen2.5-72b", 72.7e9, new DistServeCostModel.Shape(80, 8192, 29568), kv(80, 8, 128), null, 4);
}
