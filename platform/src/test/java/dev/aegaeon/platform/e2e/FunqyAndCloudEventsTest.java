package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class FunqyAndCloudEventsTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void generateOverPlainHttp() throws Exception {
        Http.Reply r = Http.post(base, "/generate", "{\"model\":\"demo\",\"prompt\":\"funqy\",\"max_tokens\":12}");
        assertEquals(200, r.status(), r.body());
        assertEquals("[demo] funqy", r.json().get("text").asText());
        assertEquals("length", r.json().get("finish_reason").asText());
        assertEquals(12, r.json().get("usage").get("completion_tokens").asInt());
    }

    @Test
    void chatOverPlainHttpAndItsRefusals() throws Exception {
        Http.Reply r = Http.post(base, "/chat", "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":9}");
        assertEquals(200, r.status(), r.body());
        assertEquals("assistant", r.json().get("message").get("role").asText());
        assertEquals("[demo] hi", r.json().get("message").get("content").asText());

        Http.Reply unknown = Http.post(base, "/chat", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("model_not_found", Http.openAiError(unknown).get("code").asText());
    }

    @Test
    void binaryModeCloudEventAnswersWithTypeFunctionOutput() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/"))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", "evt-1").header("ce-type", "chat").header("ce-source", "/test")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"event\"}],\"max_tokens\":12}"))
                .build();
        Http.Reply r = Http.send(req);
        assertEquals(200, r.status(), r.body());
        assertEquals("chat.output", r.raw().headers().firstValue("ce-type").orElseThrow());
        assertEquals("1.0", r.raw().headers().firstValue("ce-specversion").orElseThrow());
        assertEquals("[demo] event", r.json().get("message").get("content").asText());
    }

    @Test
    void structuredModeCloudEventAnswersInStructuredMode() throws Exception {
        String event = "{\"specversion\":\"1.0\",\"id\":\"evt-2\",\"type\":\"generate\",\"source\":\"/test\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"model\":\"demo\",\"prompt\":\"structured\",\"max_tokens\":17}}";
        Http.Reply r = Http.postAsync(base, "/", event, "application/cloudevents+json").join();
        assertEquals(200, r.status(), r.body());
        JsonNode out = r.json();
        assertEquals("generate.output", out.get("type").asText());
        assertEquals("1.0", out.get("specversion").asText());
        assertTrue(out.get("data").get("text").asText().equals("[demo] structured"), out.toString());
    }

    /** What a Knative KafkaSource delivers from aegaeon.invocations: the platform's own event type. */
    @Test
    void invocationEventIsAnsweredWithAResultEventOfTheSameId() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/"))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", "inv-ce-1").header("ce-type", "dev.aegaeon.invocation")
                .header("ce-source", "/kafka-source")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"via eventing\"}],\"max_tokens\":20}"))
                .build();
        Http.Reply r = Http.send(req);
        assertEquals(200, r.status(), r.body());
        var headers = r.raw().headers();
        assertEquals("dev.aegaeon.result", headers.firstValue("ce-type").orElseThrow());
        assertEquals("inv-ce-1", headers.firstValue("ce-id").orElseThrow());
        assertEquals("inv-ce-1", headers.firstValue("ce-partitionkey").orElseThrow());
        JsonNode out = r.json();
        assertEquals("chat.completion", out.get("object").asText(), out.toString());
        String content = out.get("choices").get(0).get("message").get("content").asText();
        assertTrue(content.startsWith("[demo] via eventing"), content);
        assertEquals(20, out.get("usage").get("completion_tokens").asInt(), out.toString());
    }

    /** A refusal is no result event: Knative must see a 4xx to dead-letter it instead of counting it delivered. */
    @Test
    void malformedInvocationEventGetsA400WithOpenAiErrorJsonNotAStackTrace() throws Exception {
        String event = "{\"specversion\":\"1.0\",\"id\":\"inv-ce-2\",\"type\":\"dev.aegaeon.invocation\",\"source\":\"/t\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"model\":\"demo\"}}";
        Http.Reply r = Http.postAsync(base, "/", event, "application/cloudevents+json").join();
        assertEquals(400, r.status(), r.body());
        assertTrue(Http.openAiError(r).get("message").asText().contains("messages"), r.body());
    }

    /** A keyed function takes its key on every door: Funqy's plain HTTP and both CloudEvent modes. */
    @Test
    void aKeyedFunctionNeedsItsKeyOverFunqyAndCloudEvents() throws Exception {
        Http.ensureFunction(base, "funqy-locked", "\"apiKey\":\"funqy-key-123\"");
        String generate = "{\"model\":\"funqy-locked\",\"prompt\":\"k\",\"max_tokens\":32}";
        for (String key : new String[] {null, "wrong-key-123"}) {
            Http.Reply refused = Http.send(funqy("/generate", generate, key, "application/json"));
            assertEquals("model_not_found", refused.json().get("error").get("code").asText(), refused.body());
        }
        Http.Reply ok = Http.send(funqy("/generate", generate, "funqy-key-123", "application/json"));
        assertTrue(ok.json().get("text").asText().startsWith("[funqy-locked] k"), ok.body());

        String invocation = "{\"model\":\"funqy-locked\",\"messages\":[{\"role\":\"user\",\"content\":\"e\"}],\"max_tokens\":32}";
        HttpRequest.Builder binary = HttpRequest.newBuilder(base.resolve("/")).header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", "locked-1").header("ce-type", "dev.aegaeon.invocation")
                .header("ce-source", "/t").POST(HttpRequest.BodyPublishers.ofString(invocation));
        Http.Reply denied = Http.send(binary.build());
        assertEquals("model_not_found", denied.json().get("error").get("code").asText(), denied.body());
        Http.Reply allowed = Http.send(binary.header("Authorization", "Bearer funqy-key-123").build());
        assertEquals("chat.completion", allowed.json().get("object").asText(), allowed.body());

        String structured = "{\"specversion\":\"1.0\",\"id\":\"locked-2\",\"type\":\"generate\",\"source\":\"/t\","
                + "\"datacontenttype\":\"application/json\",\"data\":" + generate + "}";
        Http.Reply noKey = Http.send(funqy("/", structured, null, "application/cloudevents+json"));
        // A refusal is no event: the error's status with OpenAI's error JSON.
        assertEquals(404, noKey.status(), noKey.body());
        assertEquals("model_not_found", noKey.json().get("error").get("code").asText(), noKey.body());
        Http.Reply withKey = Http.send(funqy("/", structured, "funqy-key-123", "application/cloudevents+json"));
        assertTrue(withKey.json().get("data").get("text").asText().startsWith("[funqy-locked] k"), withKey.body());
    }

    private HttpRequest funqy(String path, String body, String key, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b.build();
    }
}
