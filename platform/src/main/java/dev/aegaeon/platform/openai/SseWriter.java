package dev.aegaeon.platform.openai;

import java.time.Instant;

import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationObserver;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes one request's {@code n} choices as OpenAI's server-sent events: a chunk per token of
 * each choice ({@code data: {json}} and a blank line, {@code choices[0].index} naming the choice),
 * a closing chunk with {@code finish_reason} per choice, then, once every choice ended, the usage
 * chunk when asked (prompt counted once, completion tokens summed) and {@code data: [DONE]}. An
 * error after the stream started becomes a {@code data: {"error":...}} event, as OpenAI sends it,
 * and cancels the other choices. Choices run as separate invocations whose callbacks may come
 * from different threads, so writes are synchronised.
 */
final class SseWriter {
    private final HttpServerResponse response;
    private final OpenAiCall call;
    private final long created = Instant.now().getEpochSecond();
    private final String id;
    private final Runnable cancelAll;
    private boolean headersSent;
    private int open;
    private int promptTokens;
    private int completionTokens;
    private boolean failed;

    SseWriter(HttpServerResponse response, OpenAiCall call, Runnable cancelAll) {
        this.response = response;
        this.call = call;
        this.id = OpenAiFormat.responseId(call.kind(), call.request().id().orElseThrow());
        this.cancelAll = cancelAll;
        this.open = call.choices().n();
    }

    /** The observer of choice {@code index}. */
    InvocationObserver choice(int index) {
        return new Choice(index);
    }

    private void ensureHeaders() {
        if (headersSent) return;
        headersSent = true;
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
    }

    private boolean gone() {
        return failed || response.closed() || response.ended();
    }

    private void event(String data) {
        if (response.closed() || response.ended()) return;
        ensureHeaders();
        response.write("data: " + data + "\n\n");
    }

    private final class Choice implements InvocationObserver {
        private final int index;
        private final String callId = ToolCallFormat.newCallId();
        private boolean first = true;
        private int textOffset;

        Choice(int index) {
            this.index = index;
        }

        @Override
        public void onToken(int token, String text, DecodedLogprobs logprobs) {
            synchronized (SseWriter.this) {
                if (gone()) return;
                // One chunk per generated token, even when its text is empty (a partial UTF-8 sequence, a
                // special token, a tail held back for a stop string), as vLLM does: clients measuring time
                // between tokens see every token, and the concatenated text is the same.
                event(OpenAiFormat.chunk(call.kind(), id, created, call.model(), index, first, text,
                        logprobs, call.logprobs(), textOffset, null, call.includeUsage(), call.forcedTool().orElse(null), callId).toString());
                if (logprobs != null) textOffset += LogprobsFormat.length(java.util.List.of(logprobs));
                first = false;
            }
        }

        @Override
        public void onComplete(FinishReason reason, Usage usage) {
            synchronized (SseWriter.this) {
                if (gone()) return;
                if (reason == FinishReason.CANCELLED) {
                    onError(InvocationError.cancelled());
                    return;
                }
                event(OpenAiFormat.chunk(call.kind(), id, created, call.model(), index, first, "", null, -1, 0,
                        reason.openAiName(), call.includeUsage(), call.forcedTool().orElse(null), callId).toString());
                promptTokens = usage.promptTokens();
                completionTokens += usage.completionTokens();
                if (--open > 0) return;
                if (call.includeUsage()) {
                    event(OpenAiFormat.usageChunk(call.kind(), id, created, call.model(),
                            new Usage(promptTokens, completionTokens)).toString());
                }
                event("[DONE]");
                response.end();
            }
        }

        @Override
        public void onError(InvocationError error) {
            synchronized (SseWriter.this) {
                if (gone()) return;
                failed = true;
                if (!headersSent) {
                    OpenAiRoutes.error(response, error);
                } else {
                    event(OpenAiFormat.error(error).toString());
                    event("[DONE]");
                    response.end();
                }
            }
            cancelAll.run();
        }
    }
}
