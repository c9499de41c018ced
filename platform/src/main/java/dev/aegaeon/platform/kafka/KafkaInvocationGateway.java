package dev.aegaeon.platform.kafka;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.DeadLetterHeaders;
import dev.aegaeon.kafka.ReplyRoute;
import dev.aegaeon.kafka.Topics;
import dev.aegaeon.platform.invoke.InvocationError;
import dev.aegaeon.platform.invoke.InvocationRejected;
import dev.aegaeon.platform.invoke.InvocationService;
import dev.aegaeon.platform.openai.BadRequest;
import dev.aegaeon.platform.openai.CollectingObserver;
import dev.aegaeon.platform.openai.OpenAiCall;
import dev.aegaeon.platform.openai.OpenAiFormat;
import dev.aegaeon.platform.openai.OpenAiRequestParser;

/**
 * The Kafka front door. Consumes {@code aegaeon.invocations} (key = invocation id, value = an
 * OpenAI completions or chat body), runs each through the {@link InvocationService} and produces
 * the OpenAI-shaped answer (or its error JSON) to {@code aegaeon.results}, or to the
 * {@code REPLY_TOPIC} with the {@code REPLY_CORRELATION_ID} copied. With {@code "stream": true}
 * each delta also goes to {@code aegaeon.tokens} as an OpenAI chunk.
 *
 * <p>Delivery: at-least-once with idempotency. An offset is committed only after the result for it
 * (and every earlier record of the partition) is acknowledged by the broker; an invocation id whose
 * result was already produced ({@link ResultLedger}) or is in progress is skipped. A record that
 * is not an invocation at all (not JSON, not an object, no model, neither prompt nor messages) goes
 * to the dead-letter topic with reason headers; the consumer never stops on bad input.
 */
public final class KafkaInvocationGateway implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaInvocationGateway.class);
    static final String SOURCE = "/aegaeon/platform";
    public static final String STATUS_HEADER = "aegaeon-status";

    private final InvocationService service;
    private final ResultLedger ledger;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final OffsetTracker offsets = new OffsetTracker();
    private final ConcurrentLinkedQueue<Completed> completed = new ConcurrentLinkedQueue<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ResultOverhead resultOverhead;

    /** Receives the platform time from an invocation's last token to its result record reaching the producer. */
    public interface ResultOverhead {
        void record(String function, long nanos);
    }
    private final Thread pollThread;
    private final AnsweredElsewhere answeredElsewhere;
    private volatile boolean running = true;

    private record Completed(TopicPartition tp, long offset) {}

    public KafkaInvocationGateway(String bootstrapServers, String groupId, InvocationService service, ResultLedger ledger,
            ResultOverhead resultOverhead) {
        this.service = service;
        this.ledger = ledger;
        this.resultOverhead = resultOverhead;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "aegaeon-invocations"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, "aegaeon-results"),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.answeredElsewhere = new AnsweredElsewhere(bootstrapServers, Topics.RESULTS.name(), ledger);
        this.pollThread = new Thread(this::pollLoop, "kafka-invocations");
        this.pollThread.setDaemon(true);
    }

    public void start() {
        consumer.subscribe(List.of(Topics.INVOCATIONS.name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                drainCompleted();
                commit(true);
                partitions.forEach(offsets::forget);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.debugf("invocation partitions assigned: %s", partitions);
                // Partitions taken over from a crashed node: learn what it already answered.
                answeredElsewhere.learn(partitions, consumer.committed(new java.util.HashSet<>(partitions)));
            }
        });
        pollThread.start();
    }

    private void pollLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    try {
                        handle(r);
                    } catch (RuntimeException e) {
                        // Never let one record stop the consumer: park it in the DLQ and go on.
                        inFlight.remove(invocationId(r));
                        LOG.errorf(e, "unexpected failure on invocation record %s-%d@%d", r.topic(), r.partition(), r.offset());
                        deadLetter(r, "internal-error", String.valueOf(e));
                    }
                }
                drainCompleted();
                commit(false);
            }
        } catch (WakeupException e) {
            if (running) throw e;
        } finally {
            try {
                drainCompleted();
                commit(true);
            } catch (RuntimeException e) {
                LOG.debugf("final commit failed: %s", e.getMessage());
            }
            consumer.close(Duration.ofSeconds(5));
            answeredElsewhere.close();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        long arrival = System.nanoTime();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        offsets.started(tp, r.offset());
        String id = invocationId(r);
        if (ledger.contains(id) || !inFlight.add(id)) {
            LOG.debugf("invocation %s already answered or running: not run again", id);
            offsets.done(tp, r.offset());
            return;
        }
        JsonNode body;
        OpenAiCall.Kind kind;
        try {
            body = OpenAiRequestParser.readTree(r.value());
            kind = OpenAiRequestParser.invocationKind(body);
        } catch (BadRequest e) {
            inFlight.remove(id);
            deadLetter(r, "malformed-invocation", e.getMessage());
            return;
        }
        ReplyRoute route = ReplyRoute.of(r.headers(), Topics.RESULTS.name());
        String model = body.get("model").asText();
        OpenAiCall call;
        try {
            call = OpenAiRequestParser.parse(kind, body, arrival, apiKey(r), Optional.empty(), Optional.of(id));
            call.requireSingleChoice();
        } catch (BadRequest e) {
            publishResult(r, tp, id, route, e.error().status(), OpenAiFormat.error(e.error()), 0, null);
            return;
        }
        long created = Instant.now().getEpochSecond();
        String responseId = OpenAiFormat.responseId(kind, id);
        long[] lastToken = {0};
        int[] textOffset = {0};
        CollectingObserver.TokenTap tap = (index, text, logprobs) -> {
            lastToken[0] = System.nanoTime();
            if (call.stream() && (!text.isEmpty() || logprobs != null && call.logprobs() >= 0)) {
                publishToken(id, route, OpenAiFormat.chunk(kind, responseId, created, model, 0, index == 0, text,
                        logprobs, call.logprobs(), textOffset[0], null, false));
            }
            if (logprobs != null) textOffset[0] += logprobs.token().codePointCount(0, logprobs.token().length());
        };
        try {
            service.start(call.request(), new CollectingObserver(outcome -> {
                long end = lastToken[0] == 0 ? System.nanoTime() : lastToken[0];
                if (outcome.failed() || outcome.finishReason() == dev.aegaeon.runtime.engine.FinishReason.CANCELLED) {
                    InvocationError error = outcome.failed() ? outcome.error() : InvocationError.cancelled();
                    publishResult(r, tp, id, route, error.status(), OpenAiFormat.error(error), end, model);
                } else {
                    publishResult(r, tp, id, route, 200, OpenAiFormat.response(kind, responseId, created, model,
                            outcome.text(), outcome.finishReason().openAiName(), outcome.usage(), outcome.logprobs(),
                            call.logprobs()), end, model);
                }
            }, tap));
        } catch (InvocationRejected e) {
            publishResult(r, tp, id, route, e.error().status(), OpenAiFormat.error(e.error()), 0, null);
        }
    }

    private void publishResult(ConsumerRecord<byte[], byte[]> request, TopicPartition tp, String id, ReplyRoute route,
            int status, JsonNode value, long lastTokenNanos, String function) {
        byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
        var record = new ProducerRecord<>(route.topic(), route.partitionOrNull(), id.getBytes(StandardCharsets.UTF_8), bytes);
        CloudEventHeaders.write(record.headers(), id, CloudEventHeaders.TYPE_RESULT, SOURCE, Instant.now());
        CloudEventHeaders.put(record.headers(), STATUS_HEADER, Integer.toString(status));
        route.writeTo(record.headers());
        producer.send(record, (meta, error) -> {
            if (error != null) {
                // Offset stays uncommitted: the invocation is redelivered after a restart.
                LOG.errorf("result of invocation %s not produced: %s", id, error.getMessage());
                inFlight.remove(id);
                return;
            }
            try {
                ledger.add(id);
            } catch (java.io.IOException e) {
                LOG.warnf("cannot record answered invocation %s: %s", id, e.getMessage());
            }
            inFlight.remove(id);
            completed.add(new Completed(tp, request.offset()));
        });
        // send() returned: the record is in the producer's batch, the platform's part is done.
        if (lastTokenNanos != 0) resultOverhead.record(function, System.nanoTime() - lastTokenNanos);
    }

    private void publishToken(String id, ReplyRoute route, JsonNode chunk) {
        var record = new ProducerRecord<>(Topics.TOKENS.name(), id.getBytes(StandardCharsets.UTF_8),
                chunk.toString().getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.write(record.headers(), id, CloudEventHeaders.TYPE_TOKEN, SOURCE, Instant.now());
        route.writeTo(record.headers());
        producer.send(record);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String cause) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        var record = new ProducerRecord<>(Topics.INVOCATIONS_DLQ.name(), r.key(), r.value());
        for (Header h : r.headers()) record.headers().add(h.key(), h.value());
        CloudEventHeaders.put(record.headers(), DeadLetterHeaders.REASON, reason);
        CloudEventHeaders.put(record.headers(), DeadLetterHeaders.CAUSE, cause == null ? "" : cause);
        CloudEventHeaders.put(record.headers(), DeadLetterHeaders.TOPIC, r.topic());
        CloudEventHeaders.put(record.headers(), DeadLetterHeaders.PARTITION, Integer.toString(r.partition()));
        CloudEventHeaders.put(record.headers(), DeadLetterHeaders.OFFSET, Long.toString(r.offset()));
        LOG.warnf("invocation record %s-%d@%d sent to %s: %s (%s)", r.topic(), r.partition(), r.offset(),
                Topics.INVOCATIONS_DLQ.name(), reason, cause);
        producer.send(record, (meta, error) -> {
            if (error == null) completed.add(new Completed(tp, r.offset()));
            else LOG.errorf("dead letter for %s-%d@%d not produced: %s", r.topic(), r.partition(), r.offset(), error.getMessage());
        });
    }

    /** The record key if it is valid UTF-8 text, else {@code ce_id}, else the record's coordinates (stable on redelivery). */
    static String invocationId(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() != null && r.key().length > 0 && r.key().length <= 256) {
            try {
                String key = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(r.key())).toString();
                if (!key.isBlank()) return key;
            } catch (CharacterCodingException ignored) {
                // fall through
            }
        }
        return CloudEventHeaders.text(r.headers(), CloudEventHeaders.ID).filter(s -> !s.isBlank() && s.length() <= 256)
                .orElse(r.topic() + "-" + r.partition() + "-" + r.offset());
    }

    private static Optional<String> apiKey(ConsumerRecord<byte[], byte[]> r) {
        return CloudEventHeaders.text(r.headers(), "authorization")
                .map(v -> v.startsWith("Bearer ") ? v.substring(7) : v);
    }

    private void drainCompleted() {
        Completed c;
        while ((c = completed.poll()) != null) offsets.done(c.tp(), c.offset());
    }

    private void commit(boolean sync) {
        var toCommit = offsets.toCommit();
        if (toCommit.isEmpty()) return;
        if (sync) consumer.commitSync(toCommit);
        else consumer.commitAsync(toCommit, (o, e) -> {
            if (e == null) return;
            // Runs on the poll thread: forget what we believed committed so the next loop retries.
            LOG.debugf("offset commit failed (will retry): %s", e.getMessage());
            o.keySet().forEach(offsets::commitFailed);
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            pollThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
