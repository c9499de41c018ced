package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Forced tool calls through the OpenAI route with the pooled backend (the synthetic demo on the
 * CPU): the answer is one call of the function, its arguments valid for the function's parameters
 * whatever the model prefers, in OpenAI's message and stream shapes.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
class ToolCallsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather now\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Rome\"]},\"days\":{\"type\":\"integer\"}},"
            + "\"required\":[\"city\",\"days\"],\"additionalProperties\":false}}}]";
    private static final String NAMED = ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}";

    @TestHTTPResource("/")
    URI base;

    private HttpResponse<String> post(String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String extra) {
        return "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"max_tokens\":80,"
                + "\"temperature\":0," + TOOLS + extra + "}";
    }

    private static void assertValidArguments(String arguments) throws Exception {
        JsonNode args = JSON.readTree(arguments);
        assertTrue(List.of("Paris", "Rome").contains(args.get("city").asText()), arguments);
        assertTrue(args.get("days").isIntegralNumber(), arguments);
        assertEquals(2, args.size(), arguments);
    }

    @Test
    void aNamedFunctionIsCalledWithArgumentsValidForItsParameters() throws Exception {
        HttpResponse<String> r = post(body(NAMED + ",\"n\":2"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choices = JSON.readTree(r.body()).get("choices");
        List<String> ids = new ArrayList<>();
        for (JsonNode choice : choices) {
            JsonNode message = choice.get("message");
            assertTrue(message.get("content").isNull(), r.body());
            JsonNode call = message.get("tool_calls").get(0);
            assertEquals(1, message.get("tool_calls").size());
            assertEquals("function", call.get("type").asText());
            assertEquals("get_weather", call.get("function").get("name").asText());
            assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]{24}"), call.toString());
            ids.add(call.get("id").asText());
            if (choice.get("finish_reason").asText().equals("stop")) assertValidArguments(call.get("function").get("arguments").asText());
            else assertEquals("length", choice.get("finish_reason").asText(), r.body());
        }
        assertNotEquals(ids.get(0), ids.get(1), "each choice is its own call");
        assertEquals("stop", choices.get(0).get("finish_reason").asText(), "the greedy call closes within 80 tokens: " + r.body());
    }

    @Test
    void requiredWithOneToolEndsWithFinishReasonToolCalls() throws Exception {
        HttpResponse<String> r = post(body(",\"tool_choice\":\"required\""));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText(), r.body());
        assertValidArguments(choice.get("message").get("tool_calls").get(0).get("function").get("arguments").asText());
    }

    @Test
    void aStreamedCallIsTheSameCallInOpenAisDeltas() throws Exception {
        String whole = JSON.readTree(post(body(NAMED)).body()).get("choices").get(0).get("message").get("tool_calls").get(0)
                .get("function").get("arguments").asText();
        HttpResponse<String> r = post(body(NAMED + ",\"stream\":true"));
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) chunks.add(JSON.readTree(line.substring(6)));
        }
        JsonNode first = chunks.getFirst().get("choices").get(0).get("delta");
        assertEquals("assistant", first.get("role").asText());
        assertTrue(first.get("content").isNull(), first.toString());
        JsonNode firstCall = first.get("tool_calls").get(0);
        assertEquals(0, firstCall.get("index").asInt());
        assertTrue(firstCall.get("id").asText().startsWith("call_"));
        assertEquals("function", firstCall.get("type").asText());
        assertEquals("get_weather", firstCall.get("function").get("name").asText());
        StringBuilder arguments = new StringBuilder();
        for (JsonNode c : chunks) {
            JsonNode delta = c.get("choices").get(0).get("delta");
            if (delta.has("tool_calls")) arguments.append(delta.get("tool_calls").get(0).get("function").get("arguments").asText());
            if (c != chunks.getFirst()) assertTrue(!delta.has("tool_calls") || !delta.get("tool_calls").get(0).has("id"), "the id comes once");
        }
        assertEquals(whole, arguments.toString());
        assertEquals("stop", chunks.getLast().get("choices").get(0).get("finish_reason").asText());
    }
}
