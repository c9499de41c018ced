package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The doors besides the OpenAI routes never accept a sampling field and ignore it: Funqy takes
 * only its own fields, CloudEvents answer one choice, and the trivial engine (scripted text, no
 * distribution) refuses the rules that need one; each error names the field.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class OtherDoorsSamplingFieldsTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void funqyRefusesFieldsItDoesNotTakeByName() throws Exception {
        Http.Reply r = Http.post(base, "/chat", "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true}");
        assertEquals("logprobs", r.json().get("error").get("param").asText(), r.body());
        r = Http.post(base, "/generate", "{\"model\":\"demo\",\"prompt\":\"hi\",\"frequency_penalty\":1}");
        assertEquals("frequency_penalty", r.json().get("error").get("param").asText(), r.body());
    }

    @Test
    void cloudEventsAnswerOneChoice() throws Exception {
        String event = "{\"specversion\":\"1.0\",\"id\":\"evt-n\",\"type\":\"chat\",\"source\":\"/test\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}}";
        Http.Reply r = Http.postAsync(base, "/", event, "application/cloudevents+json").join();
        assertEquals("n", r.json().path("data").path("error").path("param").asText(r.json().path("error").path("param").asText()), r.body());
    }

    @Test
    void theScriptedEngineRefusesRulesThatNeedADistribution() throws Exception {
        for (String field : new String[] {"\"logprobs\":true", "\"top_k\":5", "\"min_p\":0.1", "\"repetition_penalty\":1.2",
                "\"logit_bias\":{\"5\":1}", "\"response_format\":{\"type\":\"json_object\"}"}) {
            Http.Reply r = Http.post(base, "/v1/chat/completions",
                    "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + field + "}");
            assertEquals(400, r.status(), field + " -> " + r.body());
            String name = field.substring(1, field.indexOf('"', 1));
            assertEquals(name, r.json().get("error").get("param").asText(), r.body());
        }
    }
}
