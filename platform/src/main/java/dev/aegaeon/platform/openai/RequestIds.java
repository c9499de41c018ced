package dev.aegaeon.platform.openai;

import java.util.UUID;

import io.vertx.ext.web.RoutingContext;

/**
 * Each {@code /v1} request's id, as vLLM keeps it: the caller's {@code X-Request-Id} when it sent
 * one, else a random UUID. It is the base of the response's id ({@code chatcmpl-<id>}), names the
 * invocation in the log, and comes back in the {@code x-request-id} response header, where the
 * OpenAI SDKs read it ({@code _request_id}). A header that is not 1 to {@value #MAX_LENGTH} visible
 * ASCII characters is a 400, not replaced silently.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 256;
    private static final String KEY = RequestIds.class.getName();

    private RequestIds() {}

    /** Assigns the request's id and sets the response header; runs before every {@code /v1} handler. */
    static void assign(RoutingContext ctx) {
        String given = ctx.request().getHeader(HEADER);
        String id = given != null && valid(given) ? given : UUID.randomUUID().toString();
        ctx.put(KEY, id);
        ctx.response().putHeader(HEADER.toLowerCase(java.util.Locale.ROOT), id);
        if (given != null && !valid(given)) {
            OpenAiRoutes.error(ctx.response(), dev.aegaeon.platform.invoke.InvocationError.invalid(null, "invalid_value",
                    HEADER + " must be 1 to " + MAX_LENGTH + " visible ASCII characters."));
            return;
        }
        ctx.next();
    }

    /** The id {@link #assign} gave this request. */
    static String of(RoutingContext ctx) {
        String id = ctx.get(KEY);
        return id != null ? id : UUID.randomUUID().toString();
    }

    private static boolean valid(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) return false;
        for (int i = 0; i < id.length(); i++) if (id.charAt(i) < 0x21 || id.charAt(i) > 0x7e) return false;
        return true;
    }
}
