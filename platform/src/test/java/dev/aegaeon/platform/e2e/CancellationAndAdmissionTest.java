package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
class CancellationAndAdmissionTest {
    @TestHTTPResource("/")
    URI base;

    /** 20 ms per token: a 500-token answer takes 10 s, far longer than the test waits. */
    static final String SLOW = "\"model\":{\"synthetic\":{\"shape\":\"echo\",\"tokenInterval\":\"20ms\"}}";

    @Test
    void aStreamWhoseCallerDisconnectsFreesItsKvBlocksAtOnce() throws Exception {
        Http.Reply created = Http.post(base, "/admin/functions", "{\"name\":\"slow-stream\"," + SLOW + "}");
        assertTrue(created.status() == 201 || created.status() == 409, created.body());
        String body = "{\"model\":\"slow-stream\",\"prompt\":\"" + "p".repeat(100) + "\",\"max_tokens\":500,\"stream\":true}";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String seen = "";
            byte[] buf = new byte[4096];
            while (!seen.contains("data: ")) seen += new String(buf, 0, in.read(buf), StandardCharsets.UTF_8);
            JsonNode during = Http.get(base, "/admin/functions/slow-stream").json();
            assertEquals(1, during.get("traffic").get("running").asInt());
            assertTrue(during.get("kv").get("blocksUsed").asLong() >= 7, "100 prompt tokens hold 7 blocks: " + during);
        }
        // The socket is closed: the invocation must be cancelled and its blocks freed promptly.
        JsonNode after = null;
        for (int i = 0; i < 100; i++) {
            after = Http.get(base, "/admin/functions/slow-stream").json();
            if (after.get("kv").get("blocksUsed").asLong() == 0 && after.get("traffic").get("running").asInt() == 0) break;
            Thread.sleep(20);
        }
        assertEquals(0, after.get("kv").get("blocksUsed").asLong(), after.toString());
        assertEquals(0, after.get("traffic").get("running").asInt(), after.toString());
        assertTrue(after.get("traffic").get("completed").asLong() >= 1);
    }

    @Test
    void beyondTheQueueBoundCallersGet429WithRetryAfter() throws Exception {
        Http.Reply created = Http.post(base, "/admin/functions",
                "{\"name\":\"narrow\"," + SLOW + ",\"limits\":{\"maxConcurrent\":1,\"maxQueued\":1}}");
        assertTrue(created.status() == 201 || created.status() == 409, created.body());
        List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++)
            replies.add(Http.postAsync(base, "/v1/completions", "{\"model\":\"narrow\",\"prompt\":\"q\",\"max_tokens\":10}", "application/json"));
        int ok = 0, limited = 0;
        for (CompletableFuture<Http.Reply> f : replies) {
            Http.Reply r = f.join();
            if (r.status() == 200) ok++;
            else {
                assertEquals(429, r.status(), r.body());
                JsonNode e = Http.openAiError(r);
                assertEquals("rate_limit_exceeded", e.get("code").asText());
                long retry = Long.parseLong(r.raw().headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retry >= 1, "Retry-After in whole seconds");
                limited++;
            }
        }
        assertEquals(2, ok, "one runs, one waits");
        assertEquals(2, limited, "the rest are refused");
    }

    @Test
    void anInvocationPastItsDeadlineGets504() throws Exception {
        Http.Reply created = Http.post(base, "/admin/functions", "{\"name\":\"slow-deadline\"," + SLOW + "}");
        assertTrue(created.status() == 201 || created.status() == 409, created.body());
        var req = java.net.http.HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json").header("X-Aegaeon-Timeout-Ms", "100")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"slow-deadline\",\"prompt\":\"q\",\"max_tokens\":100}"))
                .build();
        Http.Reply r = Http.send(req);
        assertEquals(504, r.status(), r.body());
        assertEquals("deadline_exceeded", Http.openAiError(r).get("code").asText());
        JsonNode after = null;
        for (int i = 0; i < 50; i++) {
            after = Http.get(base, "/admin/functions/slow-deadline").json();
            if (after.get("kv").get("blocksUsed").asLong() == 0) break;
            Thread.sleep(20);
        }
        assertEquals(0, after.get("kv").get("blocksUsed").asLong(), "the expired generation was cancelled");
    }
}
