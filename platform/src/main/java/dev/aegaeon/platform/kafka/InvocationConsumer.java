package dev.aegaeon.platform.kafka;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.ReplyRoute;
import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.openai.BadRequest;
import dev.aegaeon.platform.openai.CollectingObserver;
import dev.aegaeon.platform.openai.OpenAiCall;
import dev.aegaeon.platform.openai.OpenAiFormat;
import dev.aegaeon.platform.openai.OpenAiRequestParser;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The Kafka front door: the {@code invocations} channel (topic {@code aegaeon.invocations}, key =
 * invocation id, value = an OpenAI completions or chat body) runs each record through the
 * invocation service and answers on the {@code results} channel; with {@code "stream": true} each
 * delta, then a closing chunk with {@code finish_reason}, goes to the {@code tokens} channel.
 *
 * <p>Delivery is the connector's: a record is acknowledged once its result is acknowledged by the
 * broker (the {@code throttled} commit strategy commits in order), and a nacked record goes to the
 * dead-letter topic ({@code dead-letter-queue} failure strategy) with the reason as the connector
 * writes it. Ours: an id already answered ({@link ResultLedger}) or running ({@link InFlight}) is
 * not run again; a record that is no invocation, carries a foreign CloudEvent, or asks for a reply
 * route that cannot be served is dead-lettered without running; the {@code authorization} header
 * is removed from the record as soon as it is read.
 */
@ApplicationScoped
public class InvocationConsumer {
    private static final Logger LOG = Logger.getLogger(InvocationConsumer.class);

    @Inject
    PlatformRuntime runtime;
    @Inject
    ResultPublisher publisher;
    @Inject
    KafkaFrontDoor door;

    /** Starts the invocation and returns at once: records are processed concurrently, acknowledged when answered. */
    @Incoming("invocations")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            return handle(message);
        } catch (RuntimeException e) {
            // Never let one record stop the channel: park it in the dead-letter topic and go on.
            LOG.errorf(e, "unexpected failure on an invocation record");
            return deadLetter(message, DeadLetter.INTERNAL, e.getClass().getSimpleName());
        }
    }

    private CompletionStage<Void> handle(Message<byte[]> message) {
        long arrival = System.nanoTime();
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<byte[], byte[]> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        Optional<String> apiKey = InvocationRecords.takeApiKey(record.getHeaders());
        String id = InvocationRecords.invocationId(record);
        TopicPartition tp = new TopicPartition(record.getTopic(), record.getPartition());
        Optional<String> foreign = InvocationRecords.cloudEventProblem(record.getHeaders());
        if (foreign.isPresent()) return deadLetter(message, DeadLetter.FOREIGN_CLOUD_EVENT, foreign.get());
        InFlight.Start start = door.ledger().contains(id) ? InFlight.Start.ALREADY_RUNNING : door.inFlight().start(id, tp);
        if (start == InFlight.Start.NOT_OWNED) {
            // Fetched before its partition was revoked: the partition's new owner answers it.
            LOG.debugf("invocation %s: record %s-%d@%d belongs to another node now", id, record.getTopic(),
                    record.getPartition(), record.getOffset());
            return message.ack();
        }
        if (start == InFlight.Start.ALREADY_RUNNING) {
            LOG.infof("invocation %s was already answered or is running: record %s-%d@%d not run again", id,
                    record.getTopic(), record.getPartition(), record.getOffset());
            return duplicate(message, record, id);
        }
        JsonNode body;
        OpenAiCall.Kind kind;
        try {
            body = OpenAiRequestParser.readTree(message.getPayload());
            kind = OpenAiRequestParser.invocationKind(body);
        } catch (BadRequest e) {
            door.inFlight().finish(id, tp);
            return deadLetter(message, DeadLetter.MALFORMED, InvocationRecords.withoutHttpHint(e.getMessage()));
        }
        door.replyTopics().check(record.getHeaders()).whenComplete((route, refused) -> {
            if (refused != null) {
                door.inFlight().finish(id, tp);
                Throwable why = refused instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : refused;
                deadLetter(message, DeadLetter.UNANSWERABLE, why instanceof ReplyTopics.Unanswerable u ? u.getMessage()
                        : "reply route not checked: " + why.getClass().getSimpleName());
            } else {
                run(message, record, tp, id, route, body, kind, apiKey, arrival);
            }
        });
        return CompletableFuture.completedFuture(null);
    }

    private void run(Message<byte[]> message, IncomingKafkaRecordMetadata<byte[], byte[]> record, TopicPartition tp, String id,
            ReplyTopics.Checked route, JsonNode body, OpenAiCall.Kind kind, Optional<String> apiKey, long arrival) {
        String model = body.get("model").asText();
        OpenAiCall call;
        try {
            call = OpenAiRequestParser.parse(kind, body, arrival, apiKey, Optional.empty(), Optional.of(id));
            call.requireSingleChoice();
        } catch (BadRequest e) {
            answer(message, record, tp, id, route, e.error().status(), OpenAiFormat.error(e.error()), 0, null);
            return;
        }
        long created = Instant.now().getEpochSecond();
        String responseId = OpenAiFormat.responseId(kind, id);
        ReplyRoute tokenRoute = ReplyRoute.of(record.getHeaders(), route.topic());
        long[] lastToken = {0};
        int[] textOffset = {0};
        CollectingObserver.TokenTap tap = (index, text, logprobs) -> {
            lastToken[0] = System.nanoTime();
            if (call.stream() && (!text.isEmpty() || logprobs != null && call.logprobs() >= 0))
                publisher.token(tokenRoute, id, OpenAiFormat.chunk(kind, responseId, created, model, 0, index == 0, text,
                        logprobs, call.logprobs(), textOffset[0], null, false));
            if (logprobs != null) textOffset[0] += logprobs.token().codePointCount(0, logprobs.token().length());
        };
        try {
            runtime.service().start(call.request(), new CollectingObserver(outcome -> {
                long end = lastToken[0] == 0 ? System.nanoTime() : lastToken[0];
                if (outcome.failed() || outcome.finishReason() == FinishReason.CANCELLED) {
                    InvocationError error = outcome.failed() ? outcome.error() : InvocationError.cancelled();
                    answer(message, record, tp, id, route, error.status(), OpenAiFormat.error(error), end, model);
                } else {
                    String finish = outcome.finishReason().openAiName();
                    if (call.stream())
                        publisher.token(tokenRoute, id, OpenAiFormat.chunk(kind, responseId, created, model, false, "", finish, false));
                    answer(message, record, tp, id, route, 200, OpenAiFormat.response(kind, responseId, created, model,
                            outcome.text(), finish, outcome.usage(), outcome.logprobs(), call.logprobs()), end, model);
                }
            }, tap));
        } catch (InvocationRejected e) {
            answer(message, record, tp, id, route, e.error().status(), OpenAiFormat.error(e.error()), 0, null);
        }
    }

    /** Sends the result; acknowledges the record once the broker has it, dead-letters it if it cannot be produced. */
    private void answer(Message<byte[]> message, IncomingKafkaRecordMetadata<byte[], byte[]> record, TopicPartition tp, String id,
            ReplyTopics.Checked route, int status, JsonNode value, long lastTokenNanos, String function) {
        publisher.result(record, route, id, status, value).whenComplete((ok, failure) -> {
            if (failure == null) {
                door.answered(id);
                door.inFlight().finish(id, tp);
                message.ack();
            } else {
                door.inFlight().finish(id, tp);
                LOG.errorf("result of invocation %s not produced: %s", id, failure.getMessage());
                deadLetter(message, DeadLetter.NOT_ANSWERED, failure.getClass().getSimpleName());
            }
        });
        // The record is in the channel's buffer: the platform's part is done.
        if (lastTokenNanos != 0) runtime.metrics().kafkaResultOverhead(function, System.nanoTime() - lastTokenNanos);
    }

    /**
     * A re-sent id. Without a correlation id the first result stands alone on the results topic;
     * with one, a requester waits for this correlation, so it gets a duplicate notice naming the id.
     */
    private CompletionStage<Void> duplicate(Message<byte[]> message, IncomingKafkaRecordMetadata<byte[], byte[]> record, String id) {
        if (record.getHeaders().lastHeader(ReplyRoute.REPLY_CORRELATION_ID) == null) return message.ack();
        door.replyTopics().check(record.getHeaders()).whenComplete((route, refused) -> {
            if (refused != null) message.ack(); // nowhere to tell: the first answer stands
            else publisher.duplicate(record, route, id).whenComplete((ok, failure) -> message.ack());
        });
        return CompletableFuture.completedFuture(null);
    }

    private static CompletionStage<Void> deadLetter(Message<byte[]> message, String reason, String cause) {
        var r = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        LOG.warnf("invocation record %s-%d@%d dead-lettered: %s (%s)", r.getTopic(), r.getPartition(), r.getOffset(), reason, cause);
        return message.nack(new DeadLetter(reason, cause));
    }
}
