package dev.aegaeon.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.Backends;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.engine.TokenDecoder;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;

/**
 * The engine routes rows whose rules the device sampler lacks through {@link RowSampler} on every
 * backend: the CPU here, CUDA when a GPU is present (skipped with the reason otherwise). Each
 * step's token is checked against {@link ReferenceSampler} applied to the raw logits the backend
 * produced for that step.
 */
class HostSamplingEngineTest {
    private static final ModelConfig CONFIG = ModelShapes.tiny(ModelFamily.LLAMA);
    private static final int[] PROMPT = {3, 17, 42, 99, 5, 17, 8};

    private static InferenceEngine engine(Backend backend, TokenDecoder decoder) {
        return new InferenceEngine(CONFIG, new SyntheticWeights(CONFIG, 7), backend, new EngineOptions(16, 64, decoder));
    }

    private static Backend cudaOrSkip() {
        try {
            return Backends.open("cuda:0");
        } catch (RuntimeException | LinkageError e) {
            Assumptions.abort("no usable CUDA device here (" + e.getMessage() + "): the CUDA half of this test runs on a GPU machine");
            return null;
        }
    }

    @Test
    void cpuRowsFollowTheReferenceRules() {
        checkEveryStepAgainstTheReference(new CpuBackend(2));
    }

    @Test
    void cudaRowsFollowTheReferenceRules() {
        checkEveryStepAgainstTheReference(cudaOrSkip());
    }

    @Test
    void cpuHostPathPicksWhatTheBackendSamplerPicks() {
        hostPathAgreesWithBackendSampler(new CpuBackend(2));
    }

    @Test
    void cudaHostPathPicksWhatTheDeviceSamplerPicks() {
        hostPathAgreesWithBackendSampler(cudaOrSkip());
    }

    private static void checkEveryStepAgainstTheReference(Backend backend) {
        SamplingParams p = SamplingParams.builder().maxTokens(24).temperature(0.8f).topK(40).topP(0.9f).minP(0.05f)
                .seed(99L).penalties(new Penalties(0.7f, 0.9f, 1.4f)).logitBias(Map.of(11, 3f, 12, -50f)).logprobs(2).build();
        List<float[]> rows = new ArrayList<>();
        // the engine leaves its backend open; a CUDA one left open keeps its arena for the rest of the JVM
        try (backend; InferenceEngine e = engine(backend, null)) {
            e.setLogitsObserver((s, logits) -> rows.add(logits));
            int[] ids = e.generate(PROMPT, p).ids();
            // the same uniforms the engine drew: the sequence's generator is seeded by the request's seed
            java.util.SplittableRandom uniforms = new java.util.SplittableRandom(99L);
            for (int step = 0; step < ids.length; step++) {
                int[] output = Arrays.copyOf(ids, step);
                float[] ref = ReferenceSampler.logitBias(rows.get(step), p.logitBias());
                ref = ReferenceSampler.repetition(ref, 1.4f, PROMPT, output);
                ref = ReferenceSampler.frequencyPresence(ref, 0.9f, 0.7f, output);
                assertEquals(ReferenceSampler.sample(ref, 0.8f, 0.05f, 40, 0.9f, uniforms.nextDouble()), ids[step], "step " + step);
            }
            assertTrue(Arrays.stream(ids).noneMatch(id -> id == 12), "a -50 bias keeps token 12 out");
        }
    }

    private static void hostPathAgreesWithBackendSampler(Backend backend) {
        try (backend; InferenceEngine e = engine(backend, null)) {
            SamplingParams greedy = SamplingParams.greedy(20);
            SamplingParams sampled = new SamplingParams(0.9f, 20, 0.95f, 1234L, 20, List.of(), List.of());
            // logprobs(0) changes nothing about the pick but sends the rows through the host sampler
            assertArrayEquals(e.generate(PROMPT, greedy).ids(), e.generate(PROMPT, greedy.withLogprobs(0)).ids());
            assertArrayEquals(e.generate(PROMPT, sampled).ids(), e.generate(PROMPT, sampled.withLogprobs(0)).ids());
        }
    }

    @Test
    void responseFormatMakesTheEngineWriteJsonAndStopWhenItCloses() throws Exception {
        // a vocabulary of JSON-ish pieces: every id spells one of these
        String[] pieces = {"{", "}", "\"", ":", ",", "a", "b", "1", "2", " ", "[", "]", "true", "null", "\"k\"", "x", "-", ".", "e", "k"};
        int eos = 0;
        TokenDecoder decoder = ids -> {
            StringBuilder b = new StringBuilder();
            for (int id : ids) if (id != eos) b.append(pieces[id % pieces.length]);
            return b.toString();
        };
        ObjectMapper json = new ObjectMapper();
        JsonSchema schema = JsonSchema.parse(json.readTree(
                "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"k\"],\"additionalProperties\":false}"));
        int stopped = 0;
        try (InferenceEngine e = engine(new CpuBackend(2), decoder)) {
            for (long seed = 0; seed < 6; seed++) {
                SamplingParams p = SamplingParams.builder().maxTokens(80).temperature(1f).seed(seed).stopTokenIds(List.of(eos))
                        .logitBias(Map.of(1, 4f, 11, 4f)).responseFormat(new ResponseFormat.Schema(schema)).build();
                Generation g = e.generate(PROMPT, p);
                if (g.finishReason() == FinishReason.STOP) {
                    stopped++;
                    var tree = json.readTree(g.text());
                    assertTrue(tree.get("k").isArray(), g.text());
                    tree.get("k").forEach(v -> assertTrue(v.isIntegralNumber(), g.text()));
                } else {
                    assertTrue(new JsonMachine(schema).feed(g.text()), "a prefix of a valid value: " + g.text());
                }
            }
        }
        assertTrue(stopped > 0, "some runs complete the value within 80 tokens");
    }
}
