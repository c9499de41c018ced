package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.CudaAvailability;
import dev.aegaeon.runtime.cuda.CudaBackend;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.config.CudaConfig;

import dev.aegaeon.gpubench.BenchJson;
import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.model.RopeScaling;
import dev.aegaeon.runtime.weights.SyntheticWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Model parity of the CUDA backend against the CPU engine on synthetic models of every family
 * (plus Llama 3.1 rope scaling, Qwen2.5-0.5B and Qwen2.5-7B shapes): prompt logits compared by
 * max|cuda - cpu| / max|cpu| (bound 2e-2, bf16) and greedy continuations compared id by id.
 * Prints a table, writes JSON, exits 1 when a model misses the bound.
 *
 * <p>Run through {@code BenchCli parity [--out OUT.json] [--with-7b true|false]}.
 */
public final class CudaParity {
    private CudaParity() {}

    record Case(String name, ModelConfig config, int promptLength, int generate) {}

    /** Runs every case and writes {@code out}; 0 when all pass, 1 when one misses or no CUDA device is usable. */
    public static int run(Path out, boolean with7b) throws IOException {
        CudaAvailability a = CudaAvailability.probe();
        if (!a.available()) {
            System.err.println(a.reason());
            return 1;
        }
        List<Case> cases = new ArrayList<>();
        for (ModelFamily f : ModelFamily.values()) cases.add(new Case("tiny-" + f.name().toLowerCase(Locale.ROOT), ModelShapes.tiny(f), 40, 12));
        ModelConfig t = ModelShapes.tiny(ModelFamily.LLAMA);
        cases.add(new Case("tiny-llama3.1-rope", new ModelConfig(t.family(), t.architecture(), t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.headDim(), t.rmsNormEps(), 500000.0,
                new RopeScaling.Llama3(8, 1, 4, 64), 2048, false, t.eosTokenIds(), null), 200, 12));
        cases.add(new Case("qwen2.5-0.5b", ModelShapes.qwen25_05b(), 24, 8));
        if (with7b) cases.add(new Case("qwen2.5-7b", ModelShapes.qwen25_7b(), 6, 3));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("date", Instant.now().toString());
        boolean ok = true;
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, new CudaConfig(0.9, CudaConfig.defaults().onDemandMemory())), true);
             CpuBackend cpu = new CpuBackend()) {
            json.put("card", cuda.device().name());
            System.out.printf("%-20s %8s %12s %10s%n", "model", "tokens", "rel.diff", "greedy");
            for (Case c : cases) {
                Map<String, Object> r = run(c, cpu, cuda);
                json.put(c.name(), r);
                boolean pass = (double) r.get("max_abs_diff_over_max_abs_ref") < 2e-2 && (boolean) r.get("greedy_identical");
                ok &= pass;
                System.out.printf(Locale.ROOT, "%-20s %8d %12.3e %10s%n", c.name(), c.promptLength(),
                        r.get("max_abs_diff_over_max_abs_ref"), r.get("greedy_identical"));
            }
        }
        json.put("pass", ok);
        Files.writeString(out, BenchJson.write(json) + "\n");
        return ok ? 0 : 1;
    }

    private static Map<String, Object> run(Case c, Backend cpu, Backend cuda) {
        int[] prompt = new int[c.promptLength()];
        Random rnd = new Random(c.name().hashCode());
        for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(c.config().vocabSize());
        EngineOptions opts = new EngineOptions(16, (prompt.length + c.generate()) / 16 + 2, null);
        SamplingParams greedy = new SamplingParams(0f, 0, 1f, null, c.generate(), List.of(), List.of());
        float[] ref, got;
        int[] refIds, gotIds;
        try (SyntheticWeights w = new SyntheticWeights(c.config(), 7)) {
            try (InferenceEngine e = new InferenceEngine(c.config(), w, cpu, opts)) {
                ref = e.promptLogits(prompt);
                refIds = e.generate(prompt, greedy).ids();
            }
            try (InferenceEngine e = new InferenceEngine(c.config(), w, cuda, opts)) {
                got = e.promptLogits(prompt);
                Generation g = e.generate(prompt, greedy);
                gotIds = g.ids();
            }
        }
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxDiff = Math.max(maxDiff, Float.isNaN(got[i]) ? Double.POSITIVE_INFINITY : Math.abs(got[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("prompt_tokens", prompt.length);
        r.put("max_abs_diff_over_max_abs_ref", maxDiff / maxRef);
        r.put("greedy_identical", Arrays.equals(refIds, gotIds));
        r.put("greedy_cpu", Arrays.toString(refIds));
        r.put("greedy_cuda", Arrays.toString(gotIds));
        return r;
    }
}
