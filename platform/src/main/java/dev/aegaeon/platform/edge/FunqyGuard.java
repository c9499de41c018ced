package dev.aegaeon.platform.edge;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.openai.BadRequest;
import dev.aegaeon.platform.openai.OpenAiRequestParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Checks what reaches the Funqy doors before Funqy reads it, with the same strict JSON as the
 * OpenAI routes: a CloudEvent must carry the required context attributes (CloudEvents 1.0:
 * {@code specversion}, {@code id}, {@code source}, {@code type}) as headers (binary mode) or JSON
 * members (structured mode), and every JSON body must be one well-formed UTF-8 value without
 * duplicate keys or trailing bytes. Anything else is a 400 (415 for a non-JSON type) with OpenAI's
 * error JSON, so Funqy never answers a client's mistake with a 500 or an ERROR log. An event at the
 * root whose type no function takes is a 404 that names the type and the ones served (Funqy's own
 * 404 would say the URL is wrong, which it is not).
 */
@ApplicationScoped
public class FunqyGuard {
    /** The paths Funqy serves: CloudEvents at the root, plain HTTP at each function's name. */
    static final List<String> PATHS = List.of("/", "/chat", "/generate", "/invocation");
    /** Same limit as the OpenAI routes. */
    static final long MAX_BODY_BYTES = 4L << 20;
    private static final List<String> REQUIRED = List.of("specversion", "id", "source", "type");
    /** The event types the root serves: Funqy's functions by name and the invocation event's mapped trigger. */
    static final List<String> EVENT_TYPES = List.of("chat", "generate", CloudEventHeaders.TYPE_INVOCATION);

    void routes(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        for (String path : PATHS)
            router.post(path).order(Integer.MIN_VALUE + 2).handler(body).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        try {
            String eventType = check(ctx.request().getHeader("Content-Type"), ctx.request().headers()::get, ctx.body().buffer());
            if (ctx.request().path().equals("/") && eventType != null && !EVENT_TYPES.contains(eventType)) {
                ctx.fail(new dev.aegaeon.platform.invoke.InvocationFailure(unknownEventType(eventType)));
                return;
            }
            ctx.next();
        } catch (BadRequest e) {
            ctx.fail(new dev.aegaeon.platform.invoke.InvocationFailure(e.error()));
        } catch (UnsupportedType e) {
            ctx.fail(415);
        }
    }

    static InvocationError unknownEventType(String type) {
        String shown = type.length() > 100 ? type.substring(0, 100) + "..." : type;
        return new InvocationError(404, "invalid_request_error", "unknown_event_type", "type",
                "No function takes CloudEvents of type '" + shown + "'; this endpoint takes the types " + String.join(", ", EVENT_TYPES) + ".",
                java.util.Optional.empty());
    }

    /** Returns the CloudEvent's type, or null when the body is no CloudEvent (or a batch, which Funqy refuses). */
    static String check(String contentType, java.util.function.Function<String, String> header, Buffer body)
            throws BadRequest, UnsupportedType {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        if (header.apply("ce-id") != null) { // binary mode: attributes are headers, the body is the data
            for (String a : REQUIRED)
                if (blank(header.apply("ce-" + a))) throw new BadRequest(null, "A CloudEvent needs the 'ce-" + a + "' header.");
            if (type.equals("application/json") || type.endsWith("+json")) OpenAiRequestParser.readValue(bytes);
            return header.apply("ce-type");
        }
        if (type.equals("application/cloudevents+json")) {
            JsonNode event = OpenAiRequestParser.readValue(bytes);
            if (!event.isObject()) throw new BadRequest(null, "A structured CloudEvent must be a JSON object.");
            for (String a : REQUIRED)
                if (!event.path(a).isTextual() || event.get(a).asText().isBlank())
                    throw new BadRequest(null, "A CloudEvent needs the '" + a + "' attribute (a non-empty string).");
            return event.get("type").asText();
        }
        if (type.equals("application/cloudevents-batch+json")) return null; // Funqy answers 406
        if (!type.equals("application/json")) throw new UnsupportedType();
        OpenAiRequestParser.readValue(bytes);
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The body is neither JSON nor a CloudEvent. */
    static final class UnsupportedType extends Exception {
        UnsupportedType() {
            super(null, null, false, false);
        }
    }

}
