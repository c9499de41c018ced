package dev.aegaeon.kafka;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where the answer to one invocation goes, read from the headers SmallRye's {@code KafkaRequestReply}
 * writes on a request: {@code REPLY_TOPIC} (topic name, UTF-8), {@code REPLY_PARTITION} (4-byte
 * big-endian int, optional) and {@code REPLY_CORRELATION_ID} (opaque bytes that must come back
 * unchanged on the reply). Without a reply topic the answer goes to {@link Topics#RESULTS}.
 *
 * @param correlationId opaque bytes copied verbatim onto the reply; empty array when absent
 */
public record ReplyRoute(String topic, OptionalInt partition, byte[] correlationId) {
    public static final String REPLY_CORRELATION_ID = "REPLY_CORRELATION_ID";
    public static final String REPLY_TOPIC = "REPLY_TOPIC";
    public static final String REPLY_PARTITION = "REPLY_PARTITION";

    public ReplyRoute {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(partition, "partition");
        correlationId = correlationId == null ? new byte[0] : correlationId.clone();
    }

    public boolean hasCorrelationId() {
        return correlationId.length > 0;
    }

    @Override
    public byte[] correlationId() {
        return correlationId.clone();
    }

    /** The route for a request record; a malformed partition header is ignored (any partition will do). */
    public static ReplyRoute of(Headers headers, String defaultTopic) {
        String topic = CloudEventHeaders.text(headers, REPLY_TOPIC).filter(s -> !s.isBlank()).orElse(defaultTopic);
        OptionalInt partition = OptionalInt.empty();
        Header p = headers.lastHeader(REPLY_PARTITION);
        if (p != null && p.value() != null && p.value().length == 4) {
            int value = ByteBuffer.wrap(p.value()).getInt();
            if (value >= 0) partition = OptionalInt.of(value);
        }
        Header c = headers.lastHeader(REPLY_CORRELATION_ID);
        byte[] correlation = c == null || c.value() == null ? new byte[0] : c.value();
        return new ReplyRoute(topic, partition, correlation);
    }

    /** Copies the correlation id onto a reply's headers, the way the requester matches replies. */
    public void writeTo(Headers replyHeaders) {
        if (hasCorrelationId()) {
            replyHeaders.remove(REPLY_CORRELATION_ID);
            replyHeaders.add(REPLY_CORRELATION_ID, correlationId.clone());
        }
    }

    /** The partition as {@code ProducerRecord} takes it: null lets the partitioner choose. */
    public Integer partitionOrNull() {
        return partition.isPresent() ? partition.getAsInt() : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplyRoute r && topic.equals(r.topic) && partition.equals(r.partition)
                && Arrays.equals(correlationId, r.correlationId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition) * 31 + Arrays.hashCode(correlationId);
    }

    @Override
    public String toString() {
        return "ReplyRoute[topic=" + topic + ", partition=" + partition + ", correlationId=" + correlationId.length + " bytes]";
    }
}
