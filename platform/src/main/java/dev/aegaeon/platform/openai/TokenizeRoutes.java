package dev.aegaeon.platform.openai;

import java.util.Iterator;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.platform.invoke.InvocationError;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * vLLM's tokenizer endpoints, with its request and response shapes:
 * {@code POST /tokenize} takes {@code {model, prompt, add_special_tokens = true}} or
 * {@code {model, messages, add_generation_prompt = true, add_special_tokens = false}} and answers
 * {@code {count, max_model_len, tokens}}; {@code POST /detokenize} takes {@code {model, tokens}} and
 * answers {@code {prompt}}. A function's API key is required as on {@code /v1}; errors use the
 * OpenAI error shape. Fields vLLM has but this server does not honour are refused, not ignored.
 */
@ApplicationScoped
public class TokenizeRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOKENIZE_FIELDS = Set.of("model", "prompt", "messages", "add_special_tokens", "add_generation_prompt");
    private static final Set<String> DETOKENIZE_FIELDS = Set.of("model", "tokens");

    @Inject
    PlatformRuntime runtime;

    void routes(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(OpenAiRoutes.MAX_BODY_BYTES);
        router.post("/tokenize").handler(body).handler(this::tokenize);
        router.post("/detokenize").handler(body).handler(this::detokenize);
    }

    private void tokenize(RoutingContext ctx) {
        answer(ctx, () -> {
            JsonNode body = read(ctx, TOKENIZE_FIELDS);
            FunctionSpec spec = authorized(ctx, body);
            boolean chat = body.has("messages");
            if (chat == body.has("prompt"))
                throw new BadRequest("prompt", "Send exactly one of 'prompt' (text) or 'messages' (a chat).");
            Prompt prompt;
            if (chat) {
                prompt = OpenAiRequestParser.chatPrompt(body);
            } else {
                JsonNode p = body.get("prompt");
                if (p == null || !p.isTextual()) throw new BadRequest("prompt", "'prompt' must be a string.");
                prompt = new Prompt.Text(p.asText());
            }
            if (!chat && body.has("add_generation_prompt"))
                throw new BadRequest("add_generation_prompt", "'add_generation_prompt' applies only to 'messages'.");
            boolean special = OpenAiRequestParser.optionalBoolean(body, "add_special_tokens", !chat);
            boolean generation = OpenAiRequestParser.optionalBoolean(body, "add_generation_prompt", true);
            int[] ids = runtime.backend().tokenize(spec.name(), prompt, special, generation);
            ObjectNode out = JSON.createObjectNode();
            out.put("count", ids.length);
            out.put("max_model_len", runtime.backend().contextLength(spec.name()).orElse(spec.limits().maxPromptTokens()));
            ArrayNode tokens = out.putArray("tokens");
            for (int id : ids) tokens.add(id);
            return out;
        });
    }

    private void detokenize(RoutingContext ctx) {
        answer(ctx, () -> {
            JsonNode body = read(ctx, DETOKENIZE_FIELDS);
            FunctionSpec spec = authorized(ctx, body);
            JsonNode t = body.get("tokens");
            if (t == null || !t.isArray()) throw new BadRequest("tokens", "Missing required parameter: 'tokens' (an array of token ids).");
            int[] ids = ((Prompt.Tokens) OpenAiRequestParser.tokenPrompt(t)).ids();
            ObjectNode out = JSON.createObjectNode();
            out.put("prompt", runtime.backend().detokenize(spec.name(), ids));
            return out;
        });
    }

    /** What a route computes: its 200 body, or one of the refusals {@link #answer} turns into an error. */
    private interface Body {
        ObjectNode get() throws BadRequest, Rejected, BackendException;
    }

    /** Sends {@code body}'s result as a 200, or its refusal as OpenAI's error JSON with its status. */
    private void answer(RoutingContext ctx, Body body) {
        try {
            OpenAiRoutes.json(ctx.response(), 200, body.get().toString());
        } catch (BadRequest e) {
            OpenAiRoutes.error(ctx.response(), e.error());
        } catch (Rejected e) {
            OpenAiRoutes.error(ctx.response(), e.error);
        } catch (BackendException e) {
            OpenAiRoutes.error(ctx.response(), toError(body(ctx), e));
        }
    }

    private static JsonNode read(RoutingContext ctx, Set<String> allowed) throws BadRequest {
        JsonNode body = OpenAiRequestParser.readTree(ctx.body().buffer() == null ? null : ctx.body().buffer().getBytes());
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw new BadRequest(f, "Unsupported parameter: '" + f + "'.");
        }
        return body;
    }

    private FunctionSpec authorized(RoutingContext ctx, JsonNode body) throws BadRequest, Rejected {
        String model = OpenAiRequestParser.requiredString(body, "model");
        FunctionSpec spec = runtime.registry().get(model).map(r -> r.spec())
                .orElseThrow(() -> new Rejected(InvocationError.unknownModel(model)));
        if (!spec.authorizes(OpenAiRoutes.bearer(ctx).orElse(null))) throw new Rejected(InvocationError.unauthorized(model));
        return spec;
    }

    private static String body(RoutingContext ctx) {
        try {
            return OpenAiRequestParser.readTree(ctx.body().buffer().getBytes()).path("model").asText("");
        } catch (BadRequest e) {
            return "";
        }
    }

    private static InvocationError toError(String model, BackendException e) {
        return switch (e) {
            case BackendException.UnknownFunction u -> InvocationError.unknownModel(model);
            case BackendException.InvalidRequest i -> InvocationError.invalid(i.param(), "invalid_value", i.getMessage());
            case BackendException.Unavailable u -> InvocationError.unavailable(u.getMessage());
            default -> InvocationError.internal(e.getMessage());
        };
    }

    /** An error decided before the backend is asked. */
    private static final class Rejected extends Exception {
        final InvocationError error;

        Rejected(InvocationError error) {
            super(null, null, false, false);
            this.error = error;
        }
    }
}
