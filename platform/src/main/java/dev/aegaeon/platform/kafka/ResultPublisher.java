package dev.aegaeon.platform.kafka;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.ReplyRoute;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.openai.OpenAiFormat;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Hands results and token deltas to the {@code results} and {@code tokens} channels (configured in
 * {@code application.properties}: topics, serializers, CloudEvents type and source). Sending never
 * blocks the caller, an engine thread: the emitters buffer and the connector's sender thread talks
 * to Kafka. Every record is keyed by the invocation id and carries it as {@code ce_id}.
 */
@ApplicationScoped
public class ResultPublisher {
    public static final String STATUS_HEADER = "aegaeon-status";
    /** On a duplicate notice: the invocation id whose result was produced first. */
    public static final String DUPLICATE_OF_HEADER = "aegaeon-duplicate-of";

    @Inject
    @Channel("results")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> results;

    @Inject
    @Channel("tokens")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> tokens;

    /**
     * Sends the answer to {@code request}. The connector routes it as for any reply to a
     * {@code KafkaRequestReply} request (its {@code REPLY_TOPIC}, the {@code REPLY_CORRELATION_ID}
     * copied); the partition, already checked against the topic, is set here because the
     * connector's CloudEvents writer does not read {@code REPLY_PARTITION}.
     *
     * @return completes once the broker has acknowledged the record, fails if it was not produced
     */
    CompletionStage<Void> result(IncomingKafkaRecordMetadata<?, ?> request, ReplyTopics.Checked route, String id, int status,
            JsonNode body) {
        return result(request, route, id, status, body, null, null);
    }

    private CompletionStage<Void> result(IncomingKafkaRecordMetadata<?, ?> request, ReplyTopics.Checked route, String id, int status,
            JsonNode body, String extraHeader, String extraValue) {
        var headers = new RecordHeaders();
        if (extraHeader != null) headers.add(extraHeader, extraValue.getBytes(StandardCharsets.UTF_8));
        headers.add(STATUS_HEADER, Integer.toString(status).getBytes(StandardCharsets.UTF_8));
        var kafka = OutgoingKafkaRecordMetadata.<byte[]>builder().withKey(id.getBytes(StandardCharsets.UTF_8))
                .withHeaders(headers);
        if (route.partition().isPresent()) kafka.withPartition(route.partition().getAsInt());
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> message = Message.of(bytes(body))
                .addMetadata(request)
                .addMetadata(kafka.build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withId(id).build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    done.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        try {
            results.send(message);
        } catch (RuntimeException e) { // the channel is closed or failed
            done.completeExceptionally(e);
        }
        return done;
    }

    /**
     * Answers a re-sent invocation id without running it again: a {@code 409} error result
     * ({@code code: duplicate_invocation}) whose {@code aegaeon-duplicate-of} header names the id
     * whose first result was already produced, routed like any reply to {@code request}.
     */
    CompletionStage<Void> duplicate(IncomingKafkaRecordMetadata<?, ?> request, ReplyTopics.Checked route, String id) {
        var error = new InvocationError(409, "invalid_request_error", "duplicate_invocation", null,
                "Invocation '" + id + "' was already answered; its result was produced once and is not produced again.",
                java.util.Optional.empty());
        return result(request, route, id, error.status(), OpenAiFormat.error(error), DUPLICATE_OF_HEADER, id);
    }

    /** One streaming chunk to the token topic, with the request's correlation id; fire and forget. */
    void token(ReplyRoute requestRoute, String id, JsonNode chunk) {
        var headers = new RecordHeaders();
        requestRoute.writeTo(headers);
        Message<byte[]> message = Message.of(bytes(chunk))
                .addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder().withKey(id.getBytes(StandardCharsets.UTF_8))
                        .withHeaders(headers).build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withId(id).build());
        try {
            tokens.send(message);
        } catch (RuntimeException e) {
            // A lost delta is visible in the result, which carries the whole text.
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

}
