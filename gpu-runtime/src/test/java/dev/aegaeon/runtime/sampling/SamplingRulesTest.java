package dev.aegaeon.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.aegaeon.runtime.engine.SamplingParams;

/** Each rule, and the whole row pipeline, against {@link ReferenceSampler} on random logits. */
class SamplingRulesTest {
    private static final int VOCAB = 64;
    private final Random random = new Random(42);

    private float[] logits() {
        float[] l = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) l[i] = (float) (random.nextGaussian() * 3);
        return l;
    }

    private int[] ids(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = random.nextInt(VOCAB / 2); // repeats, and ids never seen
        return out;
    }

    private static TokenHistory history(int[] prompt, int[] output) {
        TokenHistory h = new TokenHistory(prompt);
        for (int t : output) h.accept(t);
        return h;
    }

    @Test
    void repetitionPenaltyMatchesTheReference() {
        for (int trial = 0; trial < 200; trial++) {
            float[] l = logits();
            int[] prompt = ids(5), output = ids(7);
            float penalty = 0.5f + random.nextFloat() * 1.5f;
            float[] mine = l.clone();
            RepetitionPenalty.apply(mine, penalty, history(prompt, output));
            assertArrayEquals(ReferenceSampler.repetition(l, penalty, prompt, output), mine);
        }
    }

    @Test
    void frequencyAndPresencePenaltiesMatchTheReferenceAndIgnoreThePrompt() {
        for (int trial = 0; trial < 200; trial++) {
            float[] l = logits();
            int[] prompt = ids(5), output = ids(9);
            float f = random.nextFloat() * 4 - 2, p = random.nextFloat() * 4 - 2;
            float[] mine = l.clone();
            FrequencyPresencePenalty.apply(mine, f, p, history(prompt, output));
            assertArrayEquals(ReferenceSampler.frequencyPresence(l, f, p, output), mine, 1e-5f);
        }
    }

    @Test
    void logitBiasMatchesTheReference() {
        float[] l = logits();
        Map<Integer, Float> bias = Map.of(3, 100f, 7, -100f, 9, 0.5f);
        float[] mine = l.clone();
        LogitBias.apply(mine, bias);
        assertArrayEquals(ReferenceSampler.logitBias(l, bias), mine);
    }

    @Test
    void minPMatchesTheReference() {
        for (int trial = 0; trial < 200; trial++) {
            float[] l = logits();
            float minP = random.nextFloat() * 0.5f;
            float[] mine = l.clone();
            MinP.apply(mine, minP);
            float[] ref = ReferenceSampler.minP(l, minP);
            for (int i = 0; i < VOCAB; i++) {
                assertEquals(ref[i] == Float.NEGATIVE_INFINITY, mine[i] == Float.NEGATIVE_INFINITY, "token " + i);
            }
        }
    }

    @Test
    void rawLogprobsAreTheLogSoftmaxOfTheUntouchedRowWithTheTopInOrder() {
        for (int trial = 0; trial < 50; trial++) {
            float[] l = logits();
            double[] ref = ReferenceSampler.logSoftmax(l);
            SamplingParams p = SamplingParams.builder().maxTokens(4).temperature(0.7f).logprobs(5)
                    .penalties(new Penalties(1f, 1f, 1.3f)).logitBias(Map.of(1, 20f)).build();
            Sampled s = RowSampler.sample(l, p, history(ids(3), ids(3)), null, random.nextDouble());
            TokenLogprobs lp = s.logprobs();
            assertEquals(ref[s.tokenId()], lp.logprob(), 1e-5);
            Integer[] order = new Integer[VOCAB];
            for (int i = 0; i < VOCAB; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(ref[b], ref[a]));
            for (int k = 0; k < 5; k++) {
                assertEquals(order[k], lp.topIds()[k]);
                assertEquals(ref[order[k]], lp.topLogprobs()[k], 1e-5);
            }
        }
    }

    @Test
    void theWholeRowPipelineMatchesTheReferenceOnRandomLogitsAndParameters() {
        for (int trial = 0; trial < 2000; trial++) {
            float[] l = logits();
            int[] prompt = ids(4), output = ids(random.nextInt(6));
            float temperature = random.nextInt(4) == 0 ? 0f : 0.2f + random.nextFloat() * 1.5f;
            int topK = random.nextBoolean() ? 0 : 1 + random.nextInt(20);
            float topP = random.nextBoolean() ? 1f : 0.1f + random.nextFloat() * 0.9f;
            float minP = random.nextBoolean() ? 0f : random.nextFloat() * 0.3f;
            Penalties pen = new Penalties(random.nextFloat() * 4 - 2, random.nextFloat() * 4 - 2, 0.5f + random.nextFloat());
            Map<Integer, Float> bias = new HashMap<>();
            for (int i = 0; i < 3; i++) bias.put(random.nextInt(VOCAB), random.nextFloat() * 10 - 5);
            double u = random.nextDouble();
            SamplingParams p = SamplingParams.builder().maxTokens(4).temperature(temperature).topK(topK).topP(topP)
                    .minP(minP).penalties(pen).logitBias(bias).build();

            float[] ref = ReferenceSampler.logitBias(l, bias);
            ref = ReferenceSampler.repetition(ref, pen.repetition(), prompt, output);
            ref = ReferenceSampler.frequencyPresence(ref, pen.frequency(), pen.presence(), output);
            int expected = ReferenceSampler.sample(ref, temperature, minP, topK, topP, u);

            Sampled s = RowSampler.sample(l, p, history(prompt, output), null, u);
            assertEquals(expected, s.tokenId(), "trial " + trial + " " + p + " u=" + u);
            assertNull(s.logprobs(), "no logprobs unless asked");
        }
    }

    @Test
    void eachRuleChangesTheGreedyPick() {
        float[] l = new float[VOCAB];
        l[5] = 3f;
        l[6] = 2.5f;
        SamplingParams plain = SamplingParams.greedy(4);
        assertEquals(5, RowSampler.sample(l, plain, null, null, 0).tokenId());
        assertEquals(6, RowSampler.sample(l, plain.toBuilder().logitBias(Map.of(6, 1f)).build(), null, null, 0).tokenId());
        TokenHistory saw5 = history(new int[] {1}, new int[] {5});
        assertEquals(6, RowSampler.sample(l, plain.toBuilder().penalties(new Penalties(1f, 0f, 1f)).build(), saw5, null, 0).tokenId());
        assertEquals(6, RowSampler.sample(l, plain.toBuilder().penalties(new Penalties(0f, 1f, 1f)).build(), saw5, null, 0).tokenId());
        assertEquals(6, RowSampler.sample(l, plain.toBuilder().penalties(new Penalties(0f, 0f, 1.5f)).build(), saw5, null, 0).tokenId());
        TokenHistory prompt5 = history(new int[] {5}, new int[0]);
        assertEquals(5, RowSampler.sample(l, plain.toBuilder().penalties(new Penalties(2f, 2f, 1f)).build(), prompt5, null, 0).tokenId(),
                "frequency and presence penalties ignore the prompt");
        assertEquals(6, RowSampler.sample(l, plain.toBuilder().penalties(new Penalties(0f, 0f, 1.5f)).build(), prompt5, null, 0).tokenId(),
                "the repetition penalty counts the prompt");
        // sampled rows: top-k 1 and min-p near 1 leave only the best token, whatever the draw
        SamplingParams hot = plain.toBuilder().temperature(5f).build();
        boolean varied = false;
        for (int i = 0; i < 50; i++) varied |= RowSampler.sample(l, hot, null, null, i / 50.0).tokenId() != 5;
        assertTrue(varied);
        for (int i = 0; i < 50; i++) {
            assertEquals(5, RowSampler.sample(l, hot.toBuilder().topK(1).build(), null, null, i / 50.0).tokenId());
            assertEquals(5, RowSampler.sample(l, hot.toBuilder().minP(0.99f).build(), null, null, i / 50.0).tokenId());
        }
        assertNotEquals(null, RowSampler.sample(l, plain.withLogprobs(0), null, null, 0).logprobs());
    }

    @Test
    void topKMinusOneMeansOff() {
        assertEquals(0, SamplingParams.builder().maxTokens(1).topK(-1).build().topK());
        assertEquals(List.of(), SamplingParams.greedy(1).stopTokenIds());
    }
}
