package dev.aegaeon.platform.edge;

import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.openai.OpenAiFormat;
import io.vertx.core.http.HttpServerResponse;

/** Writes an {@link InvocationError} as HTTP: its status, {@code Retry-After} when set, OpenAI's error JSON. */
public final class ErrorReply {
    private ErrorReply() {}

    public static void send(HttpServerResponse response, InvocationError e) {
        if (response.ended() || response.closed()) return;
        if (response.headWritten()) { // a stream already started: nothing honest can follow
            response.reset();
            return;
        }
        e.retryAfter().ifPresent(d -> response.putHeader("Retry-After", Long.toString(Math.max(1, d.toSeconds()))));
        response.setStatusCode(e.status()).putHeader("Content-Type", "application/json")
                .end(OpenAiFormat.error(e).toString());
    }
}
