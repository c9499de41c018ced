package dev.aegaeon.loadgen;

import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.sim.CatalogModel;
import dev.aegaeon.sim.Trace;
import dev.aegaeon.sim.WorkloadGenerator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The measured trace: the scheduler issue's {@link WorkloadGenerator} (Poisson arrivals per
 * function, ShareGPT-like lognormal lengths), so the simulator and the real platform see the same
 * kind of load; lengths are clipped so that prompt + output fits {@code maxSeq} (output first,
 * keeping at least one output token). Prompts are token ids, so their length is exact.
 */
public final class LoadTrace {
    /** Ids below this are left out of prompts: synthetic vocabularies put BOS/EOS/pad there. */
    public static final int FIRST_TOKEN_ID = 3;

    private LoadTrace() {}

    public static List<PlannedRequest> generate(List<String> functions, double ratePerFunction, double seconds, int maxSeq, long seed) {
        Map<String, CatalogModel> models = new LinkedHashMap<>();
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String f : functions) {
            models.put(f, CatalogModel.QWEN2_5_7B);
            rates.put(f, ratePerFunction);
        }
        // The SLO here only fills RequestSpec; the measured SLO is the functions' own.
        Trace t = WorkloadGenerator.poisson(models, rates, seconds, new SloTargets(10, 0.1), seed);
        List<PlannedRequest> out = new ArrayList<>(t.requests().size());
        for (RequestSpec r : t.requests()) {
            int prompt = Math.min(r.promptTokens(), maxSeq - 1);
            int output = Math.max(1, Math.min(t.outputTokens()[(int) r.id()], maxSeq - prompt));
            out.add(new PlannedRequest((int) r.id(), r.model(), r.arrivalSeconds(), prompt, output));
        }
        return out;
    }

    /** Deterministic prompt ids in [FIRST_TOKEN_ID, vocab) for request {@code id}. */
    public static int[] promptIds(int id, int length, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = FIRST_TOKEN_ID + rnd.nextInt(vocab - FIRST_TOKEN_ID);
        return ids;
    }
}
