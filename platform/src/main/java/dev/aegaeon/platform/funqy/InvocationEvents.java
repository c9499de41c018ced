package dev.aegaeon.platform.funqy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationFailure;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.openai.BadRequest;
import dev.aegaeon.platform.openai.CollectingObserver;
import dev.aegaeon.platform.openai.OpenAiCall;
import dev.aegaeon.platform.openai.OpenAiFormat;
import dev.aegaeon.platform.openai.OpenAiRequestParser;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The platform's own invocation event ({@code dev.aegaeon.invocation}, the record format of
 * {@code aegaeon.invocations}) as a Knative CloudEvent, so a KafkaSource on that topic reaches the
 * pool unchanged. The reply is a {@code dev.aegaeon.result} event with the SAME id, the OpenAI
 * response as data, and {@code partitionkey} = the invocation id, which a Knative KafkaSink uses
 * as the record key: the same result record the Kafka gateway writes. A refusal or failure is no
 * event: the reply is the error's HTTP status (4xx/5xx) with OpenAI's error JSON, so Knative's
 * delivery retries it or sends it to the dead-letter sink instead of counting it delivered. A
 * keyed function needs {@code Authorization: Bearer <key>} on the event's HTTP request.
 */
public class InvocationEvents {
    static final String SOURCE = "/aegaeon/platform";
    static final String PARTITION_KEY = "partitionkey";

    @Inject
    PlatformRuntime runtime;

    @Inject
    CallerKey callerKey;

    @Funq("invocation")
    @CloudEventMapping(trigger = CloudEventHeaders.TYPE_INVOCATION, responseType = CloudEventHeaders.TYPE_RESULT,
            responseSource = SOURCE)
    public Uni<CloudEvent<JsonNode>> invocation(CloudEvent<JsonNode> event) {
        long arrival = System.nanoTime();
        String id = event.id();
        JsonNode body = event.data();
        OpenAiCall call;
        try {
            if (body == null || !body.isObject()) throw new BadRequest(null, "the event data must be an OpenAI completions or chat request");
            call = OpenAiRequestParser.parse(OpenAiRequestParser.invocationKind(body), body, arrival, callerKey.get(), Optional.empty(), Optional.of(id));
            call.requireSingleChoice();
        } catch (BadRequest e) {
            return Uni.createFrom().failure(new InvocationFailure(e.error()));
        }
        String model = body.get("model").asText();
        long created = Instant.now().getEpochSecond();
        String responseId = OpenAiFormat.responseId(call.kind(), id);
        return Uni.createFrom().<CloudEvent<JsonNode>>emitter(em -> {
            try {
                var invocation = runtime.service().start(call.request(), new CollectingObserver(outcome -> {
                    if (outcome.failed() || outcome.finishReason() == FinishReason.CANCELLED) {
                        InvocationError error = outcome.failed() ? outcome.error() : InvocationError.cancelled();
                        em.fail(new InvocationFailure(error));
                    } else {
                        em.complete(reply(id, OpenAiFormat.response(call.kind(), responseId, created, model,
                                outcome.text(), outcome.finishReason().openAiName(), outcome.usage(), outcome.logprobs(),
                                call.logprobs())));
                    }
                }));
                em.onTermination(invocation::cancel);
            } catch (InvocationRejected e) {
                em.fail(new InvocationFailure(e.error()));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()); // tokenizing is work for a worker, not the event loop
    }

    private static CloudEvent<JsonNode> reply(String id, JsonNode data) {
        return CloudEventBuilder.create().id(id).extensions(Map.of(PARTITION_KEY, id)).build(data);
    }
}
