package dev.aegaeon.platform.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.runtime.sampling.ResponseFormat;

class ToolChoiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"d\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";
    private static final String TIME = "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}";

    private static OpenAiCall parse(String extra) throws Exception {
        JsonNode body = JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}");
        return OpenAiRequestParser.parse(OpenAiCall.Kind.CHAT, body, 0, Optional.empty(), Optional.empty(), Optional.of("id"));
    }

    @Test
    void aNamedFunctionIsDecodedUnderItsParametersAndTheToolsReachTheTemplate() throws Exception {
        OpenAiCall c = parse(",\"tools\":[" + WEATHER + "," + TIME + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
        ToolChoice.Forced f = c.forcedTool().orElseThrow();
        assertEquals("get_weather", f.name());
        assertFalse(f.required());
        assertTrue(c.request().sampling().responseFormat() instanceof ResponseFormat.Schema s && s.schema() == f.parameters() && s.compact(),
                "decoded under the parameters, on one line as arguments are written");
        assertEquals(2, ((Prompt.Chat) c.request().prompt()).tools().size());
        BadRequest kafka = assertThrows(BadRequest.class, c::requireSingleChoice);
        assertEquals("tools", kafka.error().param(), "the other front doors refuse tools by name");
    }

    @Test
    void requiredWithOneToolForcesItAndNoneOnlyShowsTheTools() throws Exception {
        ToolChoice.Forced f = parse(",\"tools\":[" + TIME + "],\"tool_choice\":\"required\",\"parallel_tool_calls\":false")
                .forcedTool().orElseThrow();
        assertEquals("get_time", f.name());
        assertTrue(f.required());
        OpenAiCall none = parse(",\"tools\":[" + WEATHER + "],\"tool_choice\":\"none\"");
        assertTrue(none.forcedTool().isEmpty());
        assertTrue(none.request().sampling().responseFormat() instanceof ResponseFormat.Text);
        assertEquals(1, ((Prompt.Chat) none.request().prompt()).tools().size());
        assertTrue(parse(",\"tools\":[],\"tool_choice\":\"auto\"").forcedTool().isEmpty(), "no tools: auto is plain text");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "auto is the default with tools | ,\"tools\":[" + "TOOL" + "]                                     | tool_choice",
            "auto named                     | ,\"tools\":[TOOL],\"tool_choice\":\"auto\"                        | tool_choice",
            "required with two tools        | ,\"tools\":[TOOL,TIME],\"tool_choice\":\"required\"               | tool_choice",
            "unknown function               | ,\"tools\":[TOOL],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"x\"}} | tool_choice",
            "named without tools            | ,\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"x\"}} | tool_choice",
            "bad function name              | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}],\"tool_choice\":\"required\" | tools[0].function.name",
            "duplicate names                | ,\"tools\":[TIME,TIME],\"tool_choice\":\"none\"                   | tools[1].function.name",
            "not a function tool            | ,\"tools\":[{\"type\":\"web_search\"}],\"tool_choice\":\"none\"     | tools[0].type",
            "unsupported parameters         | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"string\",\"pattern\":\"a\"}}}],\"tool_choice\":\"required\" | tools[0].function.parameters",
            "unknown function field         | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"x\":1}}],\"tool_choice\":\"required\" | tools[0].function.x",
            "with a response_format         | ,\"tools\":[TIME],\"tool_choice\":\"required\",\"response_format\":{\"type\":\"json_object\"} | response_format",
            "parallel_tool_calls not a bool | ,\"tools\":[TIME],\"tool_choice\":\"required\",\"parallel_tool_calls\":1 | parallel_tool_calls",
    })
    void whatCannotBeServedIsA400NamingTheField(String name, String extra, String param) {
        String body = extra.replace("TOOL", WEATHER).replace("TIME", TIME);
        BadRequest e = assertThrows(BadRequest.class, () -> parse(body));
        assertEquals(param, e.error().param(), e.getMessage());
    }

    /** The shape the chat-template fixture 'qwen-tools' renders exactly as transformers does: arguments as an object. */
    @Test
    void aPreviousCallReachesTheTemplateWithItsArgumentsAsAnObject() throws Exception {
        JsonNode message = JSON.readTree("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}],\"refusal\":null}");
        assertEquals(java.util.Map.of("tool_calls", java.util.List.of(java.util.Map.of("id", "call_1", "type", "function",
                "function", java.util.Map.of("name", "get_weather", "arguments", java.util.Map.of("city", "Paris"))))),
                MessageFields.forTemplate(message, "messages[1]"));
        assertEquals(java.util.Map.of("tool_call_id", "call_1"),
                MessageFields.forTemplate(JSON.readTree("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"21\"}"), "m"));
    }

    @Test
    void completionsHaveNoTools() {
        BadRequest e = assertThrows(BadRequest.class, () -> OpenAiRequestParser.parse(OpenAiCall.Kind.COMPLETION,
                JSON.readTree("{\"model\":\"m\",\"prompt\":\"p\",\"tools\":[" + TIME + "]}"), 0, Optional.empty(), Optional.empty(), Optional.of("i")));
        assertEquals("tools", e.error().param());
    }
}
