package dev.aegaeon.bench;

import dev.aegaeon.scheduler.SloReport;
import dev.aegaeon.sim.Simulation;

import java.util.Locale;

/** One line of an experiment's CSV. */
public record Row(String experiment, String policy, int models, double ratePerModel, int gpus, Simulation.Result result, double duration) {
    public static final String HEADER = "experiment,policy,models,rate_per_model,gpus,attainment,both_slos_share,ttft_p50_s,ttft_p99_s,"
            + "tbt_p99_s,requests,finished,gpu_busy_s,end_s,gpu_utilisation,loads,prefetch_loads,bytes_loaded,sim_events,stranded,"
            + "peak_swapped_kv_bytes,kv_recomputes";

    public String csv() {
        SloReport s = result.slo();
        return String.format(Locale.ROOT, "%s,%s,%d,%.4f,%d,%.4f,%.4f,%s,%s,%s,%d,%d,%.1f,%.1f,%.4f,%d,%d,%d,%d,%d,%d,%d", experiment, policy, models,
                ratePerModel, gpus, s.attainment(), s.bothSlosShare(), num(s.ttftP50()), num(s.ttftP99()), num(s.tbtP99()), s.requests(),
                s.finished(), result.busyGpuSeconds(), result.endSeconds(), result.utilisation(), s.loads(), s.prefetchLoads(), s.bytesLoaded(),
                result.events(), result.stranded(), result.peakSwappedKvBytes(), result.kvRecomputes());
    }

    private static String num(double v) {
        return Double.isInfinite(v) ? "inf" : Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.4f", v);
    }
}
