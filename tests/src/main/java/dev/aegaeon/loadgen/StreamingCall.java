package dev.aegaeon.loadgen;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.DoubleSupplier;

/**
 * One streaming {@code POST /v1/completions} with a token-id prompt, timed chunk by chunk on the
 * client as it reads the SSE lines (no thread per request: the HttpClient pushes lines to a
 * subscriber). {@link #cancel()} closes the connection, which the platform treats as a client
 * disconnect and uses to free the request's KV.
 */
public final class StreamingCall implements Flow.Subscriber<String> {
    private final PlannedRequest planned;
    private final DoubleSupplier clock;
    private final SseEventParser sse = new SseEventParser();
    private final CompletableFuture<RequestOutcome> done = new CompletableFuture<>();
    private double sentAt;
    private double[] times = new double[64];
    private int tokens;
    private String finishReason, error;
    private int usagePrompt = -1, usageCompletion = -1;
    private volatile int status;
    private volatile Flow.Subscription subscription;
    private volatile CompletableFuture<HttpResponse<Void>> exchange;
    private volatile boolean cancelled;

    StreamingCall(PlannedRequest planned, DoubleSupplier clock) {
        this.planned = planned;
        this.clock = clock;
    }

    /** The OpenAI body: prompt as exactly {@code promptTokens} ids, {@code max_tokens} = the output length, temperature 1. */
    static String body(PlannedRequest r, int vocab, long seed) {
        ObjectNode b = CompletionChunk.JSON.createObjectNode();
        b.put("model", r.function());
        ArrayNode prompt = b.putArray("prompt");
        for (int id : LoadTrace.promptIds(r.id(), r.promptTokens(), vocab, seed)) prompt.add(id);
        b.put("max_tokens", r.outputTokens());
        // Random weights loop under greedy decoding; sampling keeps outputs varied like real text.
        b.put("temperature", 1.0);
        b.put("seed", seed * 31 + r.id());
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        return b.toString();
    }

    CompletableFuture<RequestOutcome> start(HttpClient http, URI base, String body, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/completions")).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        synchronized (this) {
            sentAt = clock.getAsDouble();
        }
        exchange = http.sendAsync(req, info -> {
            status = info.statusCode();
            if (info.statusCode() == 200) return HttpResponse.BodySubscribers.fromLineSubscriber(this);
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), text -> {
                fail("HTTP " + info.statusCode() + ": " + CompletionChunk.abbreviate(text));
                return null;
            });
        });
        exchange.whenComplete((r, e) -> {
            if (e != null) fail(cancelled ? "cancelled after the drain" : "connection: " + rootMessage(e));
            else finish();
        });
        return done;
    }

    /** Token chunks read so far. */
    synchronized int tokensSoFar() {
        return tokens;
    }

    /** Ends the request from the client side (a straggler after the drain, a warm-up that hangs). */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        CompletableFuture<HttpResponse<Void>> x = exchange;
        if (x != null) x.cancel(true);
        fail("cancelled after the drain");
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) s.cancel();
        else s.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(String line) {
        double now = clock.getAsDouble();
        var event = sse.accept(line);
        if (event.isEmpty()) return;
        switch (CompletionChunk.parse(event.get())) {
            case CompletionChunk.Token t -> {
                if (tokens == times.length) times = Arrays.copyOf(times, tokens * 2);
                times[tokens++] = now;
            }
            case CompletionChunk.Finish f -> finishReason = f.reason();
            case CompletionChunk.Usage u -> {
                usagePrompt = u.promptTokens();
                usageCompletion = u.completionTokens();
            }
            case CompletionChunk.Error e -> error = "stream error: " + e.message();
            case CompletionChunk.Done d -> { }
            case CompletionChunk.Other o -> { }
        }
    }

    @Override
    public void onError(Throwable t) {
        fail(cancelled ? "cancelled after the drain" : "stream: " + rootMessage(t));
    }

    @Override
    public void onComplete() {
        finish();
    }

    private synchronized void fail(String why) {
        if (error == null) error = why;
        finish();
    }

    private synchronized void finish() {
        if (done.isDone()) return;
        if (error == null && finishReason == null) error = "stream ended without a finish_reason";
        done.complete(new RequestOutcome(planned, sentAt, status, Arrays.copyOf(times, tokens), finishReason, usagePrompt,
                usageCompletion, error, cancelled));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
