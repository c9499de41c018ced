package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class ConcurrentFunctionsTest {
    @TestHTTPResource("/")
    URI base;

    record Call(String function, int n, CompletableFuture<Http.Reply> reply) {}

    @Test
    void threeFunctionsWithFiftyConcurrentInvocationsEachAnswerFromTheRightFunction() throws Exception {
        List<String> functions = List.of("alpha", "beta", "gamma");
        for (String f : functions) Http.ensureFunction(base, f, "");
        List<Call> calls = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            for (String f : functions) {
                calls.add(new Call(f, n, Http.postAsync(base, "/v1/chat/completions",
                        Http.chatBody(f, "question " + n + " for " + f, 64), "application/json")));
            }
        }
        for (Call c : calls) {
            Http.Reply r = c.reply().join();
            assertEquals(200, r.status(), r.body());
            JsonNode j = r.json();
            assertEquals(c.function(), j.get("model").asText());
            String content = j.get("choices").get(0).get("message").get("content").asText();
            assertTrue(content.startsWith("[" + c.function() + "] question " + c.n() + " for " + c.function()), content);
        }
        for (String f : functions) {
            JsonNode d = Http.get(base, "/admin/functions/" + f).json();
            assertTrue(d.get("traffic").get("accepted").asLong() >= 50, d.toString());
            assertEquals(0, d.get("traffic").get("running").asInt());
        }
    }
}
