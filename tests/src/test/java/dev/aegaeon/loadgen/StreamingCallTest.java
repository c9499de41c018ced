package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The client side of one streaming call against a scripted server: errors keep their body, a cancel closes the connection. */
class StreamingCallTest {
    private static final String TOKEN = "data: {\"choices\":[{\"text\":\"x\",\"finish_reason\":null}]}\n\n";
    private HttpServer server;
    private URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch twoTokensSent = new CountDownLatch(1);
    private final CountDownLatch serverSawClose = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // The model in the body picks the script: "busy" is refused, anything else streams slowly.
        server.createContext("/v1/completions", x -> {
            if (new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).contains("\"model\":\"busy\"")) refuse(x);
            else streamSlowly(x);
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void refuse(com.sun.net.httpserver.HttpExchange x) throws IOException {
        byte[] body = "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}".getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(429, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    private void streamSlowly(com.sun.net.httpserver.HttpExchange x) throws IOException {
        x.getResponseHeaders().add("Content-Type", "text/event-stream");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        try {
            for (int i = 0; i < 2; i++) {
                out.write(TOKEN.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            twoTokensSent.countDown();
            for (int i = 0; i < 200; i++) { // a straggler: a token every 50 ms for 10 s unless the client leaves
                Thread.sleep(50);
                out.write(TOKEN.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException closed) {
            serverSawClose.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            x.close();
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aRefusalKeepsItsStatusAndOpenAiErrorBody() throws Exception {
        PlannedRequest r = new PlannedRequest(1, "busy", 0, 4, 4);
        RequestOutcome o = new StreamingCall(r, () -> 0).start(http, base, StreamingCall.body(r, 512, 1), Duration.ofSeconds(10))
                .get(10, TimeUnit.SECONDS);
        assertEquals(429, o.httpStatus());
        assertFalse(o.ok());
        assertTrue(o.error().contains("HTTP 429") && o.error().contains("Too many requests"), o.error());
        assertEquals(0, o.tokens());
    }

    @Test
    void cancellingAStragglerKeepsItsTokensAndClosesTheConnection() throws Exception {
        PlannedRequest r = new PlannedRequest(2, "fn0", 0, 4, 400);
        long t0 = System.nanoTime();
        StreamingCall call = new StreamingCall(r, () -> (System.nanoTime() - t0) / 1e9);
        var done = call.start(http, base, StreamingCall.body(r, 512, 1), Duration.ofSeconds(30));
        assertTrue(twoTokensSent.await(10, TimeUnit.SECONDS));
        while (!done.isDone() && call.tokensSoFar() < 2) Thread.sleep(10);
        call.cancel();
        RequestOutcome o = done.get(5, TimeUnit.SECONDS);
        assertTrue(o.cancelled());
        assertFalse(o.ok());
        assertTrue(o.tokens() >= 2, "tokens read before the cancel are kept: " + o.tokens());
        assertTrue(serverSawClose.await(10, TimeUnit.SECONDS), "the server's writes fail once the client has gone");
        double[] t = o.tokenTimes();
        for (int k = 1; k < t.length; k++) assertTrue(t[k] >= t[k - 1]);
    }
}
