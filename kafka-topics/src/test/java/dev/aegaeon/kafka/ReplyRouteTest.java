package dev.aegaeon.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ReplyRouteTest {
    @Test
    void readsTheHeadersKafkaRequestReplyWrites() {
        var h = new RecordHeaders();
        h.add("REPLY_TOPIC", "my-replies".getBytes(StandardCharsets.UTF_8));
        h.add("REPLY_PARTITION", ByteBuffer.allocate(4).putInt(2).array());
        h.add("REPLY_CORRELATION_ID", new byte[] {1, 2, 3, 4});
        ReplyRoute route = ReplyRoute.of(h, Topics.RESULTS.name());
        assertEquals("my-replies", route.topic());
        assertEquals(2, route.partitionOrNull());

        var reply = new RecordHeaders();
        route.writeTo(reply);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, reply.lastHeader("REPLY_CORRELATION_ID").value());
    }

    @Test
    void withoutReplyHeadersTheResultTopicIsUsedAndNothingIsCopied() {
        ReplyRoute route = ReplyRoute.of(new RecordHeaders(), Topics.RESULTS.name());
        assertEquals("aegaeon.results", route.topic());
        assertNull(route.partitionOrNull());
        assertFalse(route.hasCorrelationId());
        var reply = new RecordHeaders();
        route.writeTo(reply);
        assertNull(reply.lastHeader("REPLY_CORRELATION_ID"));
    }

    @Test
    void malformedPartitionHeaderIsIgnored() {
        var h = new RecordHeaders();
        h.add("REPLY_PARTITION", new byte[] {9});
        assertNull(ReplyRoute.of(h, "t").partitionOrNull());
    }
}
