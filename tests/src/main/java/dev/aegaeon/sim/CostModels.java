package dev.aegaeon.sim;

import dev.aegaeon.scheduler.DistServeCostModel;
import dev.aegaeon.scheduler.DistServeCostModel.Coefficients;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the simulator's cost model: DistServe coefficients fitted per (model, GPU) from the vLLM
 * profiles; an architecture without a profile takes the pooled fit over the profiled catalogue
 * models of that GPU (the form scales with layers, hidden and FFN sizes); tensor-parallel models
 * divide compute by their degree with 15% communication overhead.
 */
public final class CostModels {
    /** Prefill points above this many batched tokens are excluded (the profiles flatten there). */
    public static final int MAX_PREFILL_TOKENS = 4096;
    public static final double TP_OVERHEAD = 1.15;
    private static final List<CatalogModel> PROFILED = List.of(CatalogModel.QWEN2_5_7B, CatalogModel.YI1_5_9B, CatalogModel.LLAMA2_13B);

    private final Profiles profiles;
    private final GpuKind gpu;
    private final Map<String, Coefficients> perArch = new HashMap<>();
    private final double loadBytesPerSecond;
    private Coefficients pooled;

    public CostModels(Profiles profiles, GpuKind gpu) {
        this(profiles, gpu, GpuKind.PINNED_H2D_BYTES_PER_SECOND);
    }

    /** With another weight-load bandwidth (per GPU), e.g. to model a slower loader; KV swaps keep the pinned-copy rate. */
    public CostModels(Profiles profiles, GpuKind gpu, double loadBytesPerSecond) {
        if (!(loadBytesPerSecond > 0)) throw new IllegalArgumentException("load bandwidth must be positive");
        this.profiles = profiles;
        this.gpu = gpu;
        this.loadBytesPerSecond = loadBytesPerSecond;
    }

    public Coefficients coefficients(CatalogModel arch) {
        return perArch.computeIfAbsent(arch.arch(), a -> {
            Coefficients k;
            if (arch.profileKey() != null && !profiles.points(arch.profileKey(), gpu).isEmpty()) {
                k = DistServeCostModel.fit(List.of(arch.shape()), List.of(clean(profiles.points(arch.profileKey(), gpu))), MAX_PREFILL_TOKENS);
            } else {
                k = pooled();
            }
            return arch.tensorParallel() > 1 ? k.tensorParallel(arch.tensorParallel(), TP_OVERHEAD) : k;
        });
    }

    private Coefficients pooled() {
        if (pooled == null) {
            List<DistServeCostModel.Shape> shapes = new ArrayList<>();
            List<List<DistServeCostModel.ProfilePoint>> pts = new ArrayList<>();
            for (CatalogModel m : PROFILED) {
                var p = profiles.points(m.profileKey(), gpu);
                if (p.isEmpty()) continue;
                shapes.add(m.shape());
                pts.add(clean(p));
            }
            if (shapes.isEmpty()) throw new IllegalStateException("no profiles for " + gpu);
            pooled = DistServeCostModel.fit(shapes, pts, MAX_PREFILL_TOKENS);
        }
        return pooled;
    }

    /**
     * Drops implausible decode samples: a step faster than a quarter of the profile's median cannot
     * have read the weights (e.g. qwen2_5_7b on H100, 2 x 4096 tokens: 0.416 ms).
     */
    public static List<DistServeCostModel.ProfilePoint> clean(List<DistServeCostModel.ProfilePoint> points) {
        double[] d = points.stream().mapToDouble(DistServeCostModel.ProfilePoint::decodeSeconds).sorted().toArray();
        if (d.length == 0) return points;
        double floor = d[d.length / 2] / 4;
        return points.stream().map(p -> p.decodeSeconds() < floor ? new DistServeCostModel.ProfilePoint(p.inputLen(), p.batch(), p.prefillSeconds(), 0) : p)
                .toList();
    }

    /** A cost model covering the named models (name -> architecture). */
    public DistServeCostModel forModels(Map<String, CatalogModel> models) {
        DistServeCostModel cm = new DistServeCostModel(loadBytesPerSecond, GpuKind.PINNED_H2D_BYTES_PER_SECOND);
        models.forEach((name, arch) -> cm.put(name, arch.shape(), coefficients(arch), arch.tensorParallel()));
        return cm;
    }

    public GpuKind gpu() {
        return gpu;
    }
}
