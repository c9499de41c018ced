package dev.aegaeon.platform.openai;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.invoke.Invocation;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.invoke.InvocationRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * OpenAI-compatible HTTP: {@code GET /v1/models}, {@code GET /v1/models/{model}},
 * {@code POST /v1/completions}, {@code POST /v1/chat/completions} (JSON, or SSE with
 * {@code "stream": true}). Plain Vert.x routes rather than JAX-RS so the SSE bytes are exactly
 * OpenAI's ({@code data: {...}\n\n} ... {@code data: [DONE]\n\n}) and the platform adds as little
 * latency as possible. A caller that disconnects cancels its invocation at once. Every answer
 * carries the request's id ({@link RequestIds}).
 */
@ApplicationScoped
public class OpenAiRoutes {
    static final long MAX_BODY_BYTES = 4L << 20;
    /** Optional per-request deadline in milliseconds (OpenAI has none; clients time out themselves). */
    public static final String TIMEOUT_HEADER = "X-Aegaeon-Timeout-Ms";

    @Inject
    PlatformRuntime runtime;

    void routes(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        router.route("/v1/*").order(Integer.MIN_VALUE).handler(RequestIds::assign);
        router.get("/v1/models").handler(this::models);
        router.get("/v1/models/:model").handler(this::model);
        // Blocking handlers: parsing and tokenizing a prompt of megabytes must not hold the event loop
        // (unordered: one slow prompt does not delay the next request).
        router.post("/v1/completions").handler(body).blockingHandler(ctx -> invoke(ctx, OpenAiCall.Kind.COMPLETION), false);
        router.post("/v1/chat/completions").handler(body).blockingHandler(ctx -> invoke(ctx, OpenAiCall.Kind.CHAT), false);
    }

    /** Only the functions the caller's key may call: a keyed function is invisible without its key. */
    private void models(RoutingContext ctx) {
        String key = bearer(ctx).orElse(null);
        var created = new java.util.LinkedHashMap<String, Long>();
        runtime.registry().all().stream().filter(r -> r.spec().authorizes(key))
                .forEach(r -> created.put(r.spec().name(), r.created().getEpochSecond()));
        json(ctx.response(), 200, OpenAiFormat.models(created).toString());
    }

    /** A keyed function without its key answers exactly as a missing one, so names do not leak. */
    private void model(RoutingContext ctx) {
        String name = ctx.pathParam("model");
        String key = bearer(ctx).orElse(null);
        runtime.registry().get(name).filter(r -> r.spec().authorizes(key)).ifPresentOrElse(
                r -> json(ctx.response(), 200, OpenAiFormat.model(name, r.created().getEpochSecond()).toString()),
                () -> error(ctx.response(), InvocationError.unknownModel(name)));
    }

    private void invoke(RoutingContext ctx, OpenAiCall.Kind kind) {
        long arrival = System.nanoTime();
        OpenAiCall call;
        try {
            JsonNode body = OpenAiRequestParser.readTree(ctx.body().buffer() == null ? null : ctx.body().buffer().getBytes());
            // The id exists before the invocation starts: a fast backend may finish before start() returns.
            call = OpenAiRequestParser.parse(kind, body, arrival, bearer(ctx), timeout(ctx), Optional.of(RequestIds.of(ctx)));
        } catch (BadRequest e) {
            error(ctx.response(), e.error());
            return;
        }
        HttpServerResponse response = ctx.response();
        int count = call.choices().bestOf();
        // Registered before start(): a fast invocation may end the response before start() returns.
        var started = new AtomicReferenceArray<Invocation>(count);
        Runnable cancelAll = () -> {
            for (int i = 0; i < count; i++) {
                Invocation inv = started.get(i);
                if (inv != null) inv.cancel();
            }
        };
        response.closeHandler(v -> cancelAll.run());
        long created = Instant.now().getEpochSecond();
        String responseId = OpenAiFormat.responseId(kind, call.request().id().orElseThrow());
        SseWriter sse = call.stream() ? new SseWriter(response, call, cancelAll) : null;
        ChoiceCollector collector = call.stream() ? null : new ChoiceCollector(call.choices().n(), count, cancelAll, result -> {
            if (response.ended() || response.closed()) return;
            if (result.error() != null) error(response, result.error());
            else json(response, 200, OpenAiFormat.response(kind, responseId, created, call.model(), result.choices(),
                    result.usage(), call.logprobs(), call.forcedTool()).toString());
        });
        try {
            for (int i = 0; i < count; i++) {
                InvocationRequest request = count == 1 ? call.request() : candidate(call.request(), i);
                started.set(i, runtime.service().start(request, sse != null ? sse.choice(i) : collector.candidate(i)));
            }
            if (response.closed()) cancelAll.run(); // the caller left while we were starting
        } catch (InvocationRejected e) {
            cancelAll.run();
            error(response, e.error());
        }
    }

    /**
     * Candidate {@code i} of a request with several choices: its own invocation id, and with a seed,
     * seed + i, so the choices differ and the request stays reproducible.
     */
    private static InvocationRequest candidate(InvocationRequest r, int i) {
        Long seed = r.sampling().seed();
        return new InvocationRequest(r.function(), r.prompt(), r.maxTokens(), r.defaultMaxTokens(),
                seed == null ? r.sampling() : r.sampling().withSeed(seed + i), r.arrivalNanos(), r.timeout(), r.apiKey(),
                r.id().map(id -> id + "-" + i));
    }

    static Optional<String> bearer(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null) return Optional.empty();
        return Optional.of(h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : h.strip());
    }

    private static Optional<Duration> timeout(RoutingContext ctx) throws BadRequest {
        String h = ctx.request().getHeader(TIMEOUT_HEADER);
        if (h == null) return Optional.empty();
        try {
            long ms = Long.parseLong(h.strip());
            if (ms < 1) throw new NumberFormatException();
            return Optional.of(Duration.ofMillis(ms));
        } catch (NumberFormatException e) {
            throw new BadRequest(null, TIMEOUT_HEADER + " must be a positive number of milliseconds.");
        }
    }

    static void json(HttpServerResponse response, int status, String body) {
        if (response.ended() || response.closed()) return;
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    static void error(HttpServerResponse response, InvocationError e) {
        dev.aegaeon.platform.edge.ErrorReply.send(response, e);
    }
}
