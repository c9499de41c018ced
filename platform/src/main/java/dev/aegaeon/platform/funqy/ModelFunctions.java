package dev.aegaeon.platform.funqy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.platform.invoke.Invocation;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationFailure;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.invoke.InvocationRequest;
import dev.aegaeon.platform.openai.CollectingObserver;
import dev.aegaeon.platform.openai.OpenAiRequestParser;
import io.quarkus.funqy.Funq;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The Funqy entry points {@code generate} (a completion) and {@code chat}, served over plain HTTP
 * ({@code POST /generate}, {@code POST /chat}) and as Knative CloudEvents (type {@code generate} or
 * {@code chat}; the reply's type is {@code generate.output} / {@code chat.output}). {@code model}
 * names the model function. A refusal or failure ends the Uni with an {@link InvocationFailure},
 * which the HTTP edge answers with its status (4xx/5xx) and OpenAI's error JSON, never a 200. A
 * keyed function needs {@code Authorization: Bearer <key>} as on {@code /v1}.
 */
public class ModelFunctions {
    @Inject
    PlatformRuntime runtime;

    @Inject
    CallerKey callerKey;

    @Funq
    public Uni<FunqyTypes.Output> generate(FunqyTypes.GenerateInput input) {
        if (input == null || input.prompt == null) return failure("prompt", "Missing required parameter: 'prompt'.");
        return run(input, new Prompt.Text(input.prompt), 16, false);
    }

    @Funq
    public Uni<FunqyTypes.Output> chat(FunqyTypes.ChatInput input) {
        if (input == null || input.messages == null || input.messages.isEmpty())
            return failure("messages", "'messages' must be a non-empty array.");
        List<Prompt.Message> messages = new ArrayList<>();
        for (int i = 0; i < input.messages.size(); i++) {
            FunqyTypes.ChatMessage m = input.messages.get(i);
            String at = "messages[" + i + "].role";
            if (m == null || m.role == null) return failure(at, "Missing required parameter: '" + at + "'.");
            if (!m.unsupported.isEmpty()) {
                String field = "messages[" + i + "]." + m.unsupported.getFirst();
                return failure(field, "'" + field + "' is not supported by this function; the OpenAI routes (/v1/...) take it.");
            }
            if (!OpenAiRequestParser.CHAT_ROLES.contains(m.role))
                return failure(at, "Invalid value: '" + m.role + "'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.");
            messages.add(new Prompt.Message(m.role.equals("developer") ? "system" : m.role, m.content == null ? "" : m.content));
        }
        return run(input, new Prompt.Chat(messages), Integer.MAX_VALUE, true);
    }

    private Uni<FunqyTypes.Output> run(FunqyTypes.Params p, Prompt prompt, int defaultMax, boolean chat) {
        long arrival = System.nanoTime();
        if (p.model == null || p.model.isBlank()) return failure("model", "Missing required parameter: 'model'.");
        if (!p.unsupported.isEmpty()) {
            String name = p.unsupported.getFirst();
            return failure(name, "'" + name + "' is not supported by this function; the OpenAI routes (/v1/...) take it.");
        }
        double temperature = p.temperature == null ? 1.0 : p.temperature, topP = p.topP == null ? 1.0 : p.topP;
        if (!(temperature >= 0 && temperature <= 2))
            return failure("temperature", "temperature must be between 0 and 2, got " + temperature + ".");
        if (!(topP > 0 && topP <= 1))
            return failure("top_p", "top_p must be greater than 0 and at most 1, got " + topP + ".");
        SamplingParams sampling = SamplingParams.builder().temperature((float) temperature).topP((float) topP)
                .stopStrings(p.stop == null ? List.of() : p.stop).seed(p.seed).build();
        var request = new InvocationRequest(p.model, prompt, Optional.ofNullable(p.maxTokens), defaultMax, sampling,
                arrival, Optional.empty(), callerKey.get(), Optional.empty());
        return Uni.createFrom().<FunqyTypes.Output>emitter(em -> {
            try {
                Invocation inv = runtime.service().start(request, new CollectingObserver(outcome -> {
                    if (outcome.failed()) {
                        em.fail(new InvocationFailure(outcome.error()));
                        return;
                    }
                    if (outcome.finishReason() == FinishReason.CANCELLED) {
                        em.fail(new InvocationFailure(InvocationError.cancelled()));
                        return;
                    }
                    FunqyTypes.Output out = new FunqyTypes.Output();
                    out.model = p.model;
                    if (chat) out.message = new FunqyTypes.ChatMessage("assistant", outcome.text());
                    else out.text = outcome.text();
                    out.finishReason = outcome.finishReason().openAiName();
                    out.usage = Map.of("prompt_tokens", outcome.usage().promptTokens(),
                            "completion_tokens", outcome.usage().completionTokens(),
                            "total_tokens", outcome.usage().totalTokens());
                    em.complete(out);
                }));
                em.onTermination(inv::cancel);
            } catch (InvocationRejected e) {
                em.fail(new InvocationFailure(e.error()));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()); // tokenizing is work for a worker, not the event loop
    }

    private static <T> Uni<T> failure(String param, String message) {
        return Uni.createFrom().failure(new InvocationFailure(InvocationError.invalid(param, "invalid_value", message)));
    }
}
