package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every door answers a failure with its HTTP status (never 200) and OpenAI's error JSON, whatever
 * the failure: a refused invocation on Funqy or CloudEvents, a malformed event, a body that is not
 * strict UTF-8 JSON, an unknown URL, a wrong method or media type, a body over the limit. A
 * client's mistake is logged below WARN and without a stack trace.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class HonestErrorsTest {
    @TestHTTPResource("/")
    URI base;

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLogs() {
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void noWarningsForClientMistakes() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        synchronized (logged) {
            for (LogRecord r : logged)
                if (r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() != null)
                    throw new AssertionError("a client's mistake was logged at " + r.getLevel() + ": " + r.getMessage()
                            + (r.getThrown() == null ? "" : " with " + r.getThrown()));
        }
    }

    private Http.Reply binaryEvent(String type, String body) throws Exception {
        return Http.send(HttpRequest.newBuilder(base.resolve("/")).header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", "e-1").header("ce-type", type).header("ce-source", "/t")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "funqy chat, unknown model     | /chat     | {\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | 404 | model_not_found",
            "funqy chat, role hacker       | /chat     | {\"model\":\"demo\",\"messages\":[{\"role\":\"hacker\",\"content\":\"hi\"}]} | 400 | invalid_value",
            "funqy chat, tool call history | /chat     | {\"model\":\"demo\",\"messages\":[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"1\"}]}]} | 400 | invalid_value",
            "funqy generate, no prompt     | /generate | {\"model\":\"demo\"}                                                           | 400 | invalid_value",
            "funqy generate, bad JSON      | /generate | {\"model\":\"demo\",                                                           | 400 | ",
            "funqy generate, trailing junk | /generate | {\"model\":\"demo\",\"prompt\":\"x\"} garbage                                 | 400 | ",
            "funqy generate, duplicate key | /generate | {\"model\":\"demo\",\"prompt\":\"x\",\"prompt\":\"y\"}                       | 400 | ",
            "funqy generate, wrong field   | /generate | {\"model\":\"demo\",\"prompt\":{\"a\":1}}                                      | 400 | ",
            "v1 chat, trailing junk        | /v1/chat/completions | {\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}} | 400 | ",
            "v1 chat, duplicate key        | /v1/chat/completions | {\"model\":\"demo\",\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | 400 | ",
            "v1 chat, tools not an array   | /v1/chat/completions | {\"model\":\"demo\",\"tools\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | 400 | invalid_value",
    })
    void refusalsCarryTheirStatusAndOpenAisErrorJson(String name, String path, String body, int status, String code) throws Exception {
        Http.Reply r = Http.post(base, path, body);
        assertEquals(status, r.status(), r.body());
        JsonNode e = Http.openAiError(r);
        if (code != null) assertEquals(code, e.get("code").asText(), r.body());
    }

    @Test
    void nonUtf8BodyIsA400() throws Exception {
        byte[] latin1 = "{\"model\":\"demo\",\"prompt\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String path : List.of("/v1/completions", "/generate")) {
            Http.Reply r = Http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(latin1)).build());
            assertEquals(400, r.status(), path + ": " + r.body());
            Http.openAiError(r);
        }
    }

    @Test
    void refusedCloudEventIsAnErrorStatusNotAnEvent() throws Exception {
        Http.Reply r = binaryEvent("chat", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, r.status(), r.body());
        assertEquals("model_not_found", Http.openAiError(r).get("code").asText());
        assertTrue(r.raw().headers().firstValue("ce-type").isEmpty(), "an error reply is no event: " + r.raw().headers().map());

        Http.Reply inv = binaryEvent("dev.aegaeon.invocation", "{\"model\":\"demo\"}");
        assertEquals(400, inv.status(), inv.body());
        Http.openAiError(inv);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "structured without type | {\"specversion\":\"1.0\",\"id\":\"s-1\",\"source\":\"/t\",\"data\":{\"model\":\"demo\",\"prompt\":\"x\"}}",
            "structured truncated    | {\"specversion\":\"1.0\",\"id\":\"s-2\",\"type\":\"generate\",\"source\":\"/t\",\"data\":{\"model\":",
            "structured not object   | [1,2]",
            "structured trailing     | {\"specversion\":\"1.0\",\"id\":\"s-3\",\"type\":\"generate\",\"source\":\"/t\",\"data\":{\"model\":\"demo\",\"prompt\":\"x\"}}}",
    })
    void malformedStructuredCloudEventIsA400(String name, String event) throws Exception {
        Http.Reply r = Http.postAsync(base, "/", event, "application/cloudevents+json").join();
        assertEquals(400, r.status(), r.body());
        Http.openAiError(r);
    }

    @Test
    void malformedBinaryCloudEventIsA400() throws Exception {
        Http.Reply r = binaryEvent("generate", "{");
        assertEquals(400, r.status(), r.body());
        Http.openAiError(r);
        Http.Reply noSource = Http.send(HttpRequest.newBuilder(base.resolve("/")).header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", "e-2").header("ce-type", "generate")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"prompt\":\"x\"}")).build());
        assertEquals(400, noSource.status(), noSource.body());
        Http.openAiError(noSource);
    }

    @Test
    void aCloudEventOfATypeNoFunctionTakesIsA404NamingTheTypeNotTheUrl() throws Exception {
        for (String[] served : new String[][] {{"chat", "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}"},
                {"generate", "{\"model\":\"demo\",\"prompt\":\"x\",\"max_tokens\":2}"},
                {"dev.aegaeon.invocation", "{\"model\":\"demo\",\"prompt\":\"x\",\"max_tokens\":2}"}}) {
            Http.Reply ok = binaryEvent(served[0], served[1]);
            assertEquals(200, ok.status(), served[0] + ": " + ok.body());
        }
        Http.Reply binary = binaryEvent("com.example.unknown", "{\"model\":\"demo\",\"prompt\":\"x\"}");
        Http.Reply structured = Http.postAsync(base, "/", "{\"specversion\":\"1.0\",\"id\":\"s-1\",\"source\":\"/t\","
                + "\"type\":\"com.example.unknown\",\"data\":{\"model\":\"demo\",\"prompt\":\"x\"}}", "application/cloudevents+json").join();
        for (Http.Reply r : List.of(binary, structured)) {
            assertEquals(404, r.status(), r.body());
            JsonNode e = Http.openAiError(r);
            assertEquals("unknown_event_type", e.get("code").asText(), r.body());
            assertTrue(e.get("message").asText().contains("'com.example.unknown'"), r.body());
            assertTrue(e.get("message").asText().contains("dev.aegaeon.invocation"), r.body());
        }
    }

    @Test
    void unknownUrlWrongMethodAndMediaTypeAreOpenAiErrors() throws Exception {
        Http.Reply unknown = Http.get(base, "/no/such/page");
        assertEquals(404, unknown.status(), unknown.body());
        Http.openAiError(unknown);

        Http.Reply get = Http.get(base, "/v1/chat/completions");
        assertEquals(405, get.status(), get.body());
        Http.openAiError(get);
        assertEquals("POST", get.raw().headers().firstValue("Allow").orElse(""));

        Http.Reply noType = Http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(Http.chatBody("demo", "hi", 4))).build());
        assertEquals(415, noType.status(), noType.body());
        Http.openAiError(noType);

        Http.Reply funqyNoType = Http.send(HttpRequest.newBuilder(base.resolve("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"prompt\":\"x\"}")).build());
        assertEquals(415, funqyNoType.status(), funqyNoType.body());
        Http.openAiError(funqyNoType);
    }

    @Test
    void bodyOverTheLimitIsA413WithOpenAiErrorJson() throws Exception {
        String big = "{\"model\":\"demo\",\"prompt\":\"" + "a".repeat(5 << 20) + "\"}";
        for (String path : List.of("/v1/completions", "/generate")) {
            Http.Reply r = Http.post(base, path, big);
            assertEquals(413, r.status(), path);
            Http.openAiError(r);
        }
    }

    @Test
    void modelsCreatedIsEachFunctionsRegistrationTimeAndStable() throws Exception {
        long registered = java.time.Instant.parse(Http.get(base, "/admin/functions/demo").json().get("created").asText()).getEpochSecond();
        Thread.sleep(1100); // a clock-derived value would move
        for (int i = 0; i < 2; i++) {
            JsonNode list = Http.get(base, "/v1/models").json();
            JsonNode demo = null;
            for (JsonNode m : list.get("data")) if (m.get("id").asText().equals("demo")) demo = m;
            assertEquals(registered, demo.get("created").asLong(), list.toString());
            assertEquals(registered, Http.get(base, "/v1/models/demo").json().get("created").asLong());
            Thread.sleep(1100);
        }
    }

    @Test
    void readinessListsEachFunctionsState() throws Exception {
        Http.Reply r = Http.get(base, "/q/health/ready");
        assertEquals(200, r.status(), r.body());
        String state = "";
        for (JsonNode c : r.json().get("checks"))
            if (c.get("name").asText().equals("aegaeon")) state = c.get("data").path("function.demo").asText();
        assertTrue(List.of("COLD", "WARM", "HOT", "ACTIVE").contains(state), r.body());
    }

    @jakarta.inject.Inject
    dev.aegaeon.platform.boot.StartupBanner banner;

    /** Tests listen on a random port (quarkus.http.test-port=0): the banner names that one, not 8080. */
    @Test
    void theBannerNamesThePortTheServerListensOn() {
        assertEquals(base.getPort(), banner.printedPort());
    }

    @Test
    void theSameDoorsStillServe() throws Exception {
        assertEquals(200, Http.post(base, "/generate", "{\"model\":\"demo\",\"prompt\":\"ok\",\"max_tokens\":3}").status());
        Http.Reply ce = binaryEvent("generate", "{\"model\":\"demo\",\"prompt\":\"ok\",\"max_tokens\":3}");
        assertEquals(200, ce.status(), ce.body());
        assertEquals("generate.output", ce.raw().headers().firstValue("ce-type").orElseThrow());
    }
}
