package dev.aegaeon.sim;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.DistServeCostModel.ProfilePoint;

import java.util.List;
import java.util.TreeMap;

/**
 * A cost model that is the measured table itself, for models of the measured architecture:
 * decode steps interpolate piecewise-linearly over batch size (the measured curve is concave,
 * 8.3 ms at 1 to 36.6 ms at 128, which the DistServe form cannot follow at one context length),
 * with the KV beyond the measured context read at HBM speed; prefill interpolates over the
 * group's token count; beyond the table both extend along their last segment. Loads take the
 * measured {@code load_s} per model's bytes; KV swaps use the pinned-copy rate.
 */
public final class MeasuredTableCostModel implements CostModel {
    private final TreeMap<Integer, Double> decode = new TreeMap<>(), prefill = new TreeMap<>();
    private final int contextPerSequence;
    private final long kvBytesPerToken;
    private final double hbmBytesPerSecond, loadBytesPerSecond, swapBytesPerSecond;

    public MeasuredTableCostModel(MeasuredCosts m, CatalogModel arch, double hbmBytesPerSecond) {
        List<ProfilePoint> pts = m.points();
        int ctx = -1;
        for (ProfilePoint p : pts) {
            if (p.decodeSeconds() > 0) {
                decode.put(p.batch(), p.decodeSeconds());
                ctx = p.inputLen();
            }
            if (p.prefillSeconds() > 0) prefill.put(p.inputLen() * p.batch(), p.prefillSeconds());
        }
        if (decode.size() < 2 || prefill.size() < 2) throw new IllegalArgumentException("measured costs need at least 2 decode and 2 prefill points");
        this.contextPerSequence = ctx;
        this.kvBytesPerToken = arch.kvBytesPerToken();
        this.hbmBytesPerSecond = hbmBytesPerSecond;
        this.loadBytesPerSecond = m.loadBytesPerSecond(arch);
        this.swapBytesPerSecond = GpuKind.PINNED_H2D_BYTES_PER_SECOND;
    }

    @Override
    public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) {
        return interpolate(prefill, tokens);
    }

    @Override
    public double decodeStepSeconds(String model, int batchSize, long contextTokens) {
        double extraKv = (double) (contextTokens - (long) batchSize * contextPerSequence) * kvBytesPerToken / hbmBytesPerSecond;
        double base = interpolate(decode, batchSize);
        return Math.max(base * 0.5, base + extraKv);
    }

    @Override
    public double loadSeconds(String model, long bytes) {
        return bytes / loadBytesPerSecond;
    }

    @Override
    public double swapSeconds(long bytes) {
        return bytes / swapBytesPerSecond;
    }

    /** Piecewise-linear through the points; the first and last segments extend beyond them (never below zero). */
    static double interpolate(TreeMap<Integer, Double> table, double x) {
        var lo = table.floorEntry((int) Math.min(Integer.MAX_VALUE, Math.floor(x)));
        var hi = table.ceilingEntry((int) Math.min(Integer.MAX_VALUE, Math.ceil(x)));
        if (lo == null) {
            lo = table.firstEntry();
            hi = table.higherEntry(lo.getKey());
        } else if (hi == null) {
            hi = table.lastEntry();
            lo = table.lowerEntry(hi.getKey());
        }
        if (lo.getKey().equals(hi.getKey())) return lo.getValue();
        double slope = (hi.getValue() - lo.getValue()) / (hi.getKey() - lo.getKey());
        return Math.max(0, lo.getValue() + slope * (x - lo.getKey()));
    }
}
