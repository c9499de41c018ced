package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class BadRequestsTest {
    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void smallFunction() throws Exception {
        Http.ensureFunction(base, "tiny", "\"limits\":{\"maxPromptTokens\":40,\"maxOutputTokens\":8}");
    }

    /** What the SDKs send when a caller appends a previous answer's message to the conversation. */
    @org.junit.jupiter.api.Test
    void aPreviousAnswerAppendedAsItCameIsTaken() throws Exception {
        String body = "{\"model\":\"demo\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"name\":\"ann\"},"
                + "{\"role\":\"assistant\",\"content\":\"b\",\"refusal\":null,\"tool_calls\":[],\"annotations\":[],\"audio\":null,\"function_call\":null},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"42\"},"
                + "{\"role\":\"user\",\"content\":\"c\"}]}";
        Http.Reply r = Http.post(base, "/v1/chat/completions", body);
        assertEquals(200, r.status(), r.body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown model      | /v1/chat/completions | {\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | 404 | model      | model_not_found",
            "prompt over limit  | /v1/completions      | {\"model\":\"tiny\",\"prompt\":\"0123456789012345678901234567890123456789X\"}  | 400 | prompt     | context_length_exceeded",
            "chat over limit    | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"0123456789012345678901234567890123456789\"}]} | 400 | messages | context_length_exceeded",
            "negative max_tokens| /v1/completions      | {\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":-3}                    | 400 | max_tokens | invalid_value",
            "max_tokens too big | /v1/completions      | {\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":9}                     | 400 | max_tokens | invalid_value",
            "missing model      | /v1/completions      | {\"prompt\":\"hi\"}                                                        | 400 | model      | invalid_value",
            "bad temperature    | /v1/completions      | {\"model\":\"tiny\",\"prompt\":\"hi\",\"temperature\":3}                    | 400 | temperature| invalid_value",
            "token id not in vocab | /v1/completions   | {\"model\":\"tiny\",\"prompt\":[104,55296,105]}                 | 400 | prompt     | invalid_value",
            "token id negative  | /v1/completions      | {\"model\":\"tiny\",\"prompt\":[104,-1]}                           | 400 | prompt     | invalid_value",
            "token id fractional| /v1/completions      | {\"model\":\"tiny\",\"prompt\":[104,1.5]}                          | 400 | prompt     | invalid_value",
            "nested token arrays| /v1/completions      | {\"model\":\"tiny\",\"prompt\":[[104,105]]}                        | 400 | prompt     | invalid_value",
            "batch of prompts   | /v1/completions      | {\"model\":\"tiny\",\"prompt\":[\"hi\",\"yo\"]}                 | 400 | prompt     | invalid_value",
            "token prompt over  | /v1/completions      | {\"model\":\"tiny\",\"prompt\":[48,49,50,51,52,53,54,55,56,57,48,49,50,51,52,53,54,55,56,57,48,49,50,51,52,53,54,55,56,57,48,49,50,51,52,53,54,55,56,57,88]} | 400 | prompt | context_length_exceeded",
            "bad role           | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}  | 400 | messages[0].role | invalid_value",
            "tool call arguments not JSON | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{x\"}}]},{\"role\":\"user\",\"content\":\"x\"}]} | 400 | messages[0].tool_calls[0].function.arguments | invalid_value",
            "unknown message field | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"mood\":\"sad\"}]} | 400 | messages[0].mood | invalid_value",
            "refusal in history | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"refusal\":\"no\"},{\"role\":\"user\",\"content\":\"x\"}]} | 400 | messages[0].refusal | invalid_value",
            "name not a string  | /v1/chat/completions | {\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":3}]} | 400 | messages[0].name | invalid_value",
            "malformed JSON     | /v1/chat/completions | {\"model\":\"tiny\",                                                      | 400 |            | ",
            "JSON not an object | /v1/completions      | [1,2,3]                                                                    | 400 |            | ",
    })
    void badRequestGetsOpenAisErrorAndChangesNothing(String name, String path, String body, int status, String param,
            String code) throws Exception {
        JsonNode before = Http.get(base, "/admin/functions/tiny").json();
        Http.Reply r = Http.post(base, path, body);
        assertEquals(status, r.status(), r.body());
        JsonNode error = Http.openAiError(r);
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals(param == null ? null : param, error.get("param").isNull() ? null : error.get("param").asText());
        assertEquals(code == null ? null : code, error.get("code").isNull() ? null : error.get("code").asText());

        JsonNode after = Http.get(base, "/admin/functions/tiny").json();
        assertEquals(before.get("traffic"), after.get("traffic"), "a refused request is not admitted");
        assertEquals(before.get("spec"), after.get("spec"));
        Http.Reply ok = Http.post(base, "/v1/chat/completions", Http.chatBody("tiny", "still fine", 8));
        assertEquals(200, ok.status(), "the function still serves: " + ok.body());
    }
}
