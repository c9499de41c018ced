package dev.aegaeon.platform.edge;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;

import dev.aegaeon.platform.invoke.ErrorIds;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The outermost HTTP layer: whatever fails on any route (an unknown URL, a wrong method, a body
 * over the limit, Funqy refusing its input, a function's {@link InvocationFailure}, an unexpected
 * exception) is answered with the right status and OpenAI's error JSON, never Quarkus' HTML page
 * or a stack trace. Client mistakes are logged at DEBUG; server faults at ERROR under an error id
 * that is the only detail the caller sees.
 */
@ApplicationScoped
public class HttpEdge {
    private static final Logger LOG = Logger.getLogger(HttpEdge.class);
    /** Methods each OpenAI path answers; any other is a 405 naming them in {@code Allow}. */
    private static final Map<String, HttpMethod> OPENAI_PATHS = Map.of(
            "/v1/chat/completions", HttpMethod.POST, "/v1/completions", HttpMethod.POST,
            "/v1/models", HttpMethod.GET, "/v1/models/*", HttpMethod.GET);

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        // What no route matched (Vert.x would answer its HTML page).
        for (int status : new int[] {404, 405, 413, 415}) router.errorHandler(status, this::failed);
        OPENAI_PATHS.forEach((path, method) -> router.route(path).order(Integer.MIN_VALUE + 1).handler(ctx -> {
            HttpMethod m = ctx.request().method();
            if (!m.equals(method) && !(m.equals(HttpMethod.HEAD) && method.equals(HttpMethod.GET))) {
                ctx.response().putHeader("Allow", method.name());
                ctx.fail(405);
            } else if (m.equals(HttpMethod.POST) && !isJson(ctx.request().getHeader("Content-Type"))) {
                ctx.fail(415);
            } else {
                ctx.next();
            }
        }));
    }

    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        String type = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json");
    }

    private void failed(RoutingContext ctx) {
        String where = ctx.request().method() + " " + ctx.request().path();
        InvocationError error = errorFor(ctx.failure(), ctx.statusCode(), where)
                .orElseGet(() -> ErrorIds.internal(where, ctx.failure()));
        if (error.status() < 500) LOG.debugf("%s -> %d %s", where, error.status(), error.message());
        ErrorReply.send(ctx.response(), error);
    }

    /** The answer to a client's mistake, or empty for a server fault (which gets an error id). */
    static Optional<InvocationError> errorFor(Throwable failure, int status, String where) {
        for (Throwable t = failure; t != null; t = t.getCause())
            if (t instanceof InvocationFailure f) return Optional.of(f.error());
        if (failure instanceof JacksonException) status = 400; // Funqy could not read a CloudEvent
        if (failure != null && status < 0) return Optional.empty();
        return Optional.ofNullable(switch (status) {
            case 400 -> client(400, null, "We could not parse the body of your request as this endpoint's JSON input.");
            case 404 -> client(404, "unknown_url", "Invalid URL (" + where + ").");
            case 405 -> client(405, "method_not_allowed", "Method not allowed (" + where + ").");
            case 406 -> client(406, "not_acceptable", "Batched CloudEvents are not supported: send one event per request.");
            case 413 -> client(413, "request_too_large", "The request body is too large.");
            case 415 -> client(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");
            default -> status >= 400 && status < 500 ? client(status, null, "The request was refused (HTTP " + status + ").") : null;
        });
    }

    private static InvocationError client(int status, String code, String message) {
        return new InvocationError(status, "invalid_request_error", code, null, message, Optional.empty());
    }
}
