package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.aegaeon.sim.WorkloadGenerator;

/** The measured trace keeps the generator's rate and length distribution, fits the sequence limit, and is reproducible. */
class LoadTraceTest {
    private static final List<String> FUNCTIONS = List.of("fn0", "fn1", "fn2", "fn3");

    @Test
    void ratePerFunctionAndMeanLengthsMatchTheWorkload() {
        double seconds = 20_000, rate = 0.1;
        List<PlannedRequest> t = LoadTrace.generate(FUNCTIONS, rate, seconds, 1 << 20, 3);
        Map<String, Long> perFunction = t.stream().collect(Collectors.groupingBy(PlannedRequest::function, Collectors.counting()));
        assertEquals(FUNCTIONS.size(), perFunction.size());
        double expected = rate * seconds; // 2,000 per function; Poisson sd ~45
        perFunction.values().forEach(n -> assertTrue(Math.abs(n - expected) < 5 * Math.sqrt(expected), "count " + n));
        double prompt = t.stream().mapToInt(PlannedRequest::promptTokens).average().orElseThrow();
        double output = t.stream().mapToInt(PlannedRequest::outputTokens).average().orElseThrow();
        assertEquals(WorkloadGenerator.PROMPT_MEAN, prompt, 0.08 * WorkloadGenerator.PROMPT_MEAN);
        assertEquals(WorkloadGenerator.OUTPUT_MEAN, output, 0.08 * WorkloadGenerator.OUTPUT_MEAN);
        for (int i = 1; i < t.size(); i++) assertTrue(t.get(i).arrivalSeconds() >= t.get(i - 1).arrivalSeconds());
        assertTrue(t.getLast().arrivalSeconds() < seconds);
    }

    @Test
    void lengthsAreClippedToTheSequenceLimit() {
        int maxSeq = 300;
        List<PlannedRequest> t = LoadTrace.generate(FUNCTIONS, 0.5, 2_000, maxSeq, 5);
        assertTrue(t.stream().anyMatch(r -> r.promptTokens() + r.outputTokens() == maxSeq), "some requests needed clipping");
        for (PlannedRequest r : t) {
            assertTrue(r.promptTokens() >= 1 && r.outputTokens() >= 1, r.toString());
            assertTrue(r.promptTokens() + r.outputTokens() <= maxSeq, r.toString());
        }
    }

    @Test
    void theSameSeedGivesTheSameTraceAndPrompts() {
        assertEquals(LoadTrace.generate(FUNCTIONS, 0.1, 600, 4096, 9), LoadTrace.generate(FUNCTIONS, 0.1, 600, 4096, 9));
        int[] ids = LoadTrace.promptIds(4, 1000, 512, 9);
        assertEquals(1000, ids.length);
        for (int id : ids) assertTrue(id >= LoadTrace.FIRST_TOKEN_ID && id < 512, "id " + id);
        assertEquals(java.util.Arrays.toString(ids), java.util.Arrays.toString(LoadTrace.promptIds(4, 1000, 512, 9)));
    }

    @Test
    void theRequestBodyIsOpenAisStreamingCompletionWithExactlyThePromptLength() throws Exception {
        PlannedRequest r = new PlannedRequest(7, "fn2", 1.5, 33, 12);
        var body = CompletionChunk.JSON.readTree(StreamingCall.body(r, 512, 1));
        assertEquals("fn2", body.get("model").asText());
        assertEquals(33, body.get("prompt").size());
        assertTrue(body.get("prompt").get(0).isInt());
        assertEquals(12, body.get("max_tokens").asInt());
        assertEquals(1.0, body.get("temperature").asDouble());
        assertTrue(body.get("stream").asBoolean());
        assertTrue(body.get("stream_options").get("include_usage").asBoolean());
    }
}
