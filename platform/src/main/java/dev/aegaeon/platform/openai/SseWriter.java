package dev.aegaeon.platform.openai;

import java.time.Instant;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes one invocation as OpenAI's server-sent events: a chunk per delta ({@code data: {json}}
 * and a blank line), a closing chunk with {@code finish_reason}, the usage chunk when asked, then
 * {@code data: [DONE]}. An error after the stream started becomes a {@code data: {"error":...}}
 * event, as OpenAI sends it. Callbacks are serial (observer contract), so no locking.
 */
final class SseWriter implements InvocationObserver {
    private final HttpServerResponse response;
    private final OpenAiCall call;
    private final long created = Instant.now().getEpochSecond();
    private final String id;
    private boolean headersSent;
    private boolean first = true;

    SseWriter(HttpServerResponse response, OpenAiCall call) {
        this.response = response;
        this.call = call;
        this.id = OpenAiFormat.responseId(call.kind(), call.request().id().orElseThrow());
    }

    private String id() {
        return id;
    }

    private void ensureHeaders() {
        if (headersSent) return;
        headersSent = true;
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
    }

    private void event(String data) {
        if (response.closed() || response.ended()) return;
        ensureHeaders();
        response.write("data: " + data + "\n\n");
    }

    @Override
    public void onToken(int index, String text) {
        // One chunk per generated token, even when its text is empty (a partial UTF-8 sequence, a
        // special token, a tail held back for a stop string), as vLLM does: clients measuring time
        // between tokens see every token, and the concatenated text is the same.
        event(OpenAiFormat.chunk(call.kind(), id(), created, call.model(), first, text, null, call.includeUsage()).toString());
        first = false;
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        if (response.closed() || response.ended()) return;
        if (reason == FinishReason.CANCELLED) {
            onError(InvocationError.cancelled());
            return;
        }
        event(OpenAiFormat.chunk(call.kind(), id(), created, call.model(), first, "", reason.openAiName(), call.includeUsage()).toString());
        if (call.includeUsage()) event(OpenAiFormat.usageChunk(call.kind(), id(), created, call.model(), usage).toString());
        event("[DONE]");
        response.end();
    }

    @Override
    public void onError(InvocationError error) {
        if (response.closed() || response.ended()) return;
        if (!headersSent) {
            OpenAiRoutes.error(response, error);
            return;
        }
        event(OpenAiFormat.error(error).toString());
        event("[DONE]");
        response.end();
    }
}
