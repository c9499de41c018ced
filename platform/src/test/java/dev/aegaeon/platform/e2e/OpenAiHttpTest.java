package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class OpenAiHttpTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void listsTheDemoModel() throws Exception {
        Http.Reply r = Http.get(base, "/v1/models");
        assertEquals(200, r.status());
        assertEquals("list", r.json().get("object").asText());
        List<String> ids = new ArrayList<>();
        r.json().get("data").forEach(m -> {
            assertEquals("model", m.get("object").asText());
            ids.add(m.get("id").asText());
        });
        assertTrue(ids.contains("demo"), ids.toString());
        assertEquals(200, Http.get(base, "/v1/models/demo").status());
        Http.openAiError(Http.get(base, "/v1/models/nope"));
    }

    @Test
    void chatCompletionHasOpenAisShape() throws Exception {
        Http.Reply r = Http.post(base, "/v1/chat/completions", Http.chatBody("demo", "Hello there", 12));
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("chat.completion", j.get("object").asText());
        assertTrue(j.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("demo", j.get("model").asText());
        JsonNode choice = j.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("[demo] Hello", choice.get("message").get("content").asText(), "12 code-point tokens of the echo");
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(12, j.get("usage").get("completion_tokens").asInt());
        assertEquals(j.get("usage").get("prompt_tokens").asInt() + 12, j.get("usage").get("total_tokens").asInt());
    }

    /** vLLM's request-id convention, and OpenAI's x-request-id header that the SDKs expose as _request_id. */
    @Test
    void everyAnswerCarriesTheRequestIdTheCallerGaveOrOneOfOurs() throws Exception {
        Http.Reply ours = Http.post(base, "/v1/chat/completions", Http.chatBody("demo", "id", 2));
        String id = ours.raw().headers().firstValue("x-request-id").orElseThrow();
        assertEquals("chatcmpl-" + id, ours.json().get("id").asText());

        java.net.http.HttpRequest.Builder given = java.net.http.HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").header("X-Request-Id", "trace-42");
        Http.Reply echoed = Http.send(given.POST(java.net.http.HttpRequest.BodyPublishers.ofString(Http.chatBody("demo", "id", 2))).build());
        assertEquals("trace-42", echoed.raw().headers().firstValue("x-request-id").orElseThrow());
        assertEquals("chatcmpl-trace-42", echoed.json().get("id").asText());
        String stream = "{\"model\":\"demo\",\"prompt\":\"s\",\"max_tokens\":2,\"stream\":true}";
        Http.Reply streamed = Http.send(given.copy().POST(java.net.http.HttpRequest.BodyPublishers.ofString(stream))
                .uri(base.resolve("/v1/completions")).build());
        assertEquals("trace-42", streamed.raw().headers().firstValue("x-request-id").orElseThrow());
        assertTrue(streamed.body().contains("\"id\":\"cmpl-trace-42\""), streamed.body());

        Http.Reply refused = Http.post(base, "/v1/chat/completions", Http.chatBody("nope", "id", 2));
        assertEquals(404, refused.status());
        assertFalse(refused.raw().headers().firstValue("x-request-id").orElse("").isEmpty(), "errors carry it too");
        Http.Reply tooLong = Http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").header("X-Request-Id", "x".repeat(257))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Http.chatBody("demo", "id", 2))).build());
        assertEquals(400, tooLong.status(), tooLong.body());
        assertTrue(Http.openAiError(tooLong).get("message").asText().contains("X-Request-Id"), tooLong.body());
    }

    @Test
    void completionHonoursStopStringsAndSeed() throws Exception {
        String body = "{\"model\":\"demo\",\"prompt\":\"abc XYZ def\",\"max_tokens\":200,\"stop\":[\"XYZ\"]}";
        Http.Reply r = Http.post(base, "/v1/completions", body);
        assertEquals(200, r.status(), r.body());
        assertEquals("text_completion", r.json().get("object").asText());
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals("[demo] abc ", choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());

        String seeded = "{\"model\":\"demo\",\"prompt\":\"p\",\"max_tokens\":200,\"seed\":%d}";
        String a = Http.post(base, "/v1/completions", seeded.formatted(7)).json().get("choices").get(0).get("text").asText();
        String b = Http.post(base, "/v1/completions", seeded.formatted(7)).json().get("choices").get(0).get("text").asText();
        String c = Http.post(base, "/v1/completions", seeded.formatted(8)).json().get("choices").get(0).get("text").asText();
        assertEquals(a, b, "same seed, same text");
        assertNotEquals(a, c, "another seed, other filler words");
    }

    @Test
    void completionDefaultsToSixteenTokensLikeOpenAi() throws Exception {
        Http.Reply r = Http.post(base, "/v1/completions", "{\"model\":\"demo\",\"prompt\":\"a long enough prompt to echo\"}");
        assertEquals(16, r.json().get("usage").get("completion_tokens").asInt());
    }

    @Test
    void everyGeneratedTokenGetsItsOwnChunkEvenWhenItsTextIsHeldBack() throws Exception {
        // "XYQ" is never completed, but "X" and "Y" are held back as its possible prefix: their chunks carry "".
        String body = "{\"model\":\"demo\",\"prompt\":\"abc XYZ def\",\"max_tokens\":14,\"stop\":[\"XYQ\"],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}";
        Http.Reply r = Http.post(base, "/v1/completions", body);
        assertEquals(200, r.status(), r.body());
        int tokenChunks = 0, completionTokens = -1;
        StringBuilder text = new StringBuilder();
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
            JsonNode c = Http.JSON.readTree(line.substring(6));
            if (c.get("choices").isEmpty()) completionTokens = c.get("usage").get("completion_tokens").asInt();
            else if (c.get("choices").get(0).get("finish_reason").isNull()) {
                tokenChunks++;
                text.append(c.get("choices").get(0).get("text").asText());
            }
        }
        assertEquals(14, completionTokens);
        assertEquals(completionTokens, tokenChunks, "one chunk per token");
        assertTrue(text.toString().contains("XYZ"), text.toString());
    }

    @Test
    void aPromptOfTokenIdsIsTakenAsThoseTokens() throws Exception {
        // The trivial engine's vocabulary is the code points: [104, 105] is "hi", and counts as 2 prompt tokens.
        Http.Reply ids = Http.post(base, "/v1/completions", "{\"model\":\"demo\",\"prompt\":[104,105],\"max_tokens\":5,\"seed\":3}");
        Http.Reply text = Http.post(base, "/v1/completions", "{\"model\":\"demo\",\"prompt\":\"hi\",\"max_tokens\":5,\"seed\":3}");
        assertEquals(200, ids.status(), ids.body());
        assertEquals(2, ids.json().get("usage").get("prompt_tokens").asInt());
        assertEquals(text.json().get("choices").get(0).get("text"), ids.json().get("choices").get(0).get("text"));
        Http.Reply single = Http.post(base, "/v1/completions", "{\"model\":\"demo\",\"prompt\":[\"hi\"],\"max_tokens\":5,\"seed\":3}");
        assertEquals(text.json().get("choices").get(0).get("text"), single.json().get("choices").get(0).get("text"),
                "an array of one string is still that string");
    }

    @Test
    void streamingIsServerSentEventsExactlyAsOpenAiSendsThem() throws Exception {
        String body = "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}],\"max_tokens\":5,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        Http.Reply r = Http.post(base, "/v1/chat/completions", body);
        assertEquals(200, r.status());
        assertTrue(r.raw().headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events) {
            assertTrue(e.startsWith("data: "), "every event is one data line: " + e);
            if (!e.equals("data: [DONE]")) chunks.add(Http.JSON.readTree(e.substring(6)));
        }
        assertEquals("data: [DONE]", events[events.length - 1]);
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        // 5 content chunks, a finish chunk, a usage chunk.
        assertEquals(7, chunks.size(), r.body());
        StringBuilder text = new StringBuilder();
        String id = chunks.getFirst().get("id").asText();
        for (int i = 0; i < 6; i++) {
            JsonNode c = chunks.get(i);
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals(id, c.get("id").asText(), "one id for the whole stream");
            assertTrue(c.get("usage").isNull(), "include_usage puts usage:null on every chunk");
            JsonNode delta = c.get("choices").get(0).get("delta");
            if (i == 0) assertEquals("assistant", delta.get("role").asText());
            if (delta.has("content")) text.append(delta.get("content").asText());
        }
        assertEquals("[demo", text.toString());
        assertEquals("length", chunks.get(5).get("choices").get(0).get("finish_reason").asText());
        assertTrue(chunks.get(4).get("choices").get(0).get("finish_reason").isNull());
        JsonNode usage = chunks.get(6);
        assertEquals(0, usage.get("choices").size());
        assertEquals(5, usage.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        String body = "{\"model\":\"demo\",\"prompt\":\"x\",\"max_tokens\":3,\"stream\":true}";
        Http.Reply r = Http.post(base, "/v1/completions", body);
        assertFalse(r.body().contains("usage"), r.body());
        assertTrue(r.body().contains("\"object\":\"text_completion\""));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void metricsAreLabelledByFunction() throws Exception {
        Http.post(base, "/v1/chat/completions", Http.chatBody("demo", "metrics", 4));
        String metrics = Http.get(base, "/q/metrics").body();
        for (String m : List.of("aegaeon_ttft_seconds_bucket{function=\"demo\"", "aegaeon_inter_token_latency_seconds_bucket{function=\"demo\"",
                "aegaeon_requests_running{function=\"demo\"}", "aegaeon_requests_waiting{function=\"demo\"}",
                "aegaeon_model_switches_total{function=\"demo\"}", "aegaeon_model_load_seconds_total{function=\"demo\"}",
                "aegaeon_kv_cache_usage_ratio{function=\"demo\"}", "aegaeon_slo_attainment_ratio{function=\"demo\"}"))
            assertTrue(metrics.contains(m), "missing " + m);
        assertEquals(200, Http.get(base, "/q/health").status());
        String openapi = Http.get(base, "/q/openapi").body();
        assertTrue(openapi.contains("/admin/functions") && openapi.contains("/v1/chat/completions"), "OpenAPI documents admin and /v1");
    }
}
