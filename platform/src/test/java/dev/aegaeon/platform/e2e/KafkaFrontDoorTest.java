package dev.aegaeon.platform.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class KafkaFrontDoorTest {
    static KafkaProducer<byte[], byte[]> producer;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    static void send(String key, String value, Map<String, byte[]> headers) throws Exception {
        var r = new ProducerRecord<>(Topics.INVOCATIONS.name(), key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.write(r.headers(), key == null ? UUID.randomUUID().toString() : key,
                CloudEventHeaders.TYPE_INVOCATION, "/test", Instant.now());
        headers.forEach((k, v) -> r.headers().add(k, v));
        producer.send(r).get(30, TimeUnit.SECONDS);
    }

    /** Reads {@code topic} from the beginning until {@code enough} holds for the matching records (or 60 s pass). */
    static List<ConsumerRecord<byte[], byte[]>> await(String topic, Predicate<ConsumerRecord<byte[], byte[]>> match,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> enough, Duration settle) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !enough.test(got)) {
                for (var r : consumer.poll(Duration.ofMillis(100))) if (match.test(r)) got.add(r);
            }
            long settleEnd = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < settleEnd) {
                for (var r : consumer.poll(Duration.ofMillis(100))) if (match.test(r)) got.add(r);
            }
        }
        return got;
    }

    static Predicate<ConsumerRecord<byte[], byte[]>> key(String id) {
        return r -> r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8));
    }

    static JsonNode json(ConsumerRecord<byte[], byte[]> r) throws Exception {
        return Http.JSON.readTree(r.value());
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return CloudEventHeaders.text(r.headers(), key).orElse(null);
    }

    @Test
    void anInvocationIsAnsweredOnTheResultsTopicAsACloudEvent() throws Exception {
        String id = "inv-" + UUID.randomUUID();
        send(id, "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"via kafka\"}],\"max_tokens\":16}", Map.of());
        var results = await(Topics.RESULTS.name(), key(id), l -> !l.isEmpty(), Duration.ZERO);
        assertEquals(1, results.size());
        var r = results.getFirst();
        assertEquals("dev.aegaeon.result", header(r, "ce_type"));
        assertEquals("1.0", header(r, "ce_specversion"));
        assertEquals(id, header(r, "ce_id"));
        assertEquals("200", header(r, "aegaeon-status"));
        JsonNode body = json(r);
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("[demo] via kafka", body.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void replyTopicAndCorrelationIdAreHonouredAsKafkaRequestReplyExpects() throws Exception {
        String replies = "replies-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(replies, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String id = "inv-" + UUID.randomUUID();
        byte[] correlation = {7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        send(id, "{\"model\":\"demo\",\"prompt\":\"reply\",\"max_tokens\":5}", Map.of(
                "REPLY_TOPIC", replies.getBytes(StandardCharsets.UTF_8),
                "REPLY_PARTITION", ByteBuffer.allocate(4).putInt(1).array(),
                "REPLY_CORRELATION_ID", correlation));
        var got = await(replies, key(id), l -> !l.isEmpty(), Duration.ZERO);
        assertEquals(1, got.size());
        assertEquals(1, got.getFirst().partition());
        assertArrayEquals(correlation, got.getFirst().headers().lastHeader("REPLY_CORRELATION_ID").value());
        assertEquals("text_completion", json(got.getFirst()).get("object").asText());
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndTheNextValidRecordIsAnswered() throws Exception {
        String poison = "poison-" + UUID.randomUUID();
        String valid = "valid-" + UUID.randomUUID();
        send(poison, "{this is not json", Map.of());
        send(valid, "{\"model\":\"demo\",\"prompt\":\"after poison\",\"max_tokens\":3}", Map.of());
        var dead = await(Topics.INVOCATIONS_DLQ.name(), key(poison), l -> !l.isEmpty(), Duration.ZERO);
        assertEquals(1, dead.size());
        assertEquals("malformed-invocation", header(dead.getFirst(), "dead-letter-reason"));
        assertEquals(Topics.INVOCATIONS.name(), header(dead.getFirst(), "dead-letter-topic"));
        assertEquals("{this is not json", new String(dead.getFirst().value(), StandardCharsets.UTF_8), "the record is kept as sent");
        var answered = await(Topics.RESULTS.name(), key(valid), l -> !l.isEmpty(), Duration.ZERO);
        assertEquals(1, answered.size());
        assertEquals("200", header(answered.getFirst(), "aegaeon-status"));
    }

    @Test
    void aRedeliveredInvocationIsAnsweredOnce() throws Exception {
        String id = "dup-" + UUID.randomUUID();
        String body = "{\"model\":\"demo\",\"prompt\":\"once\",\"max_tokens\":4}";
        send(id, body, Map.of());
        assertEquals(1, await(Topics.RESULTS.name(), key(id), l -> !l.isEmpty(), Duration.ZERO).size());
        send(id, body, Map.of()); // the same invocation delivered again
        String marker = "marker-" + UUID.randomUUID();
        send(marker, body, Map.of()); // once this is answered, the duplicate before it was handled
        await(Topics.RESULTS.name(), key(marker), l -> !l.isEmpty(), Duration.ZERO);
        assertEquals(1, await(Topics.RESULTS.name(), key(id), l -> !l.isEmpty(), Duration.ofSeconds(1)).size());
    }

    @Test
    void aRefusedInvocationGetsAnErrorResultNotADeadLetter() throws Exception {
        String id = "unknown-" + UUID.randomUUID();
        send(id, "{\"model\":\"no-such-function\",\"prompt\":\"x\"}", Map.of());
        var r = await(Topics.RESULTS.name(), key(id), l -> !l.isEmpty(), Duration.ZERO).getFirst();
        assertEquals("404", header(r, "aegaeon-status"));
        assertEquals("model_not_found", json(r).get("error").get("code").asText());
    }

    @Test
    void overTheQueueBoundAKafkaInvocationGetsA429ErrorResult() throws Exception {
        Http.ensureFunction(base, "kafka-narrow", "\"limits\":{\"maxConcurrent\":1,\"maxQueued\":0}");
        // 20 ms per token: the first invocation holds the only slot for 200 ms.
        var spec = java.net.http.HttpRequest.newBuilder(base.resolve("/admin/functions/kafka-narrow"))
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"kafka-narrow\",\"model\":{\"synthetic\":{\"tokenInterval\":\"20ms\"}},"
                                + "\"limits\":{\"maxConcurrent\":1,\"maxQueued\":0}}")).build();
        assertEquals(200, Http.send(spec).status());
        String run = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) send(run + "-" + i, "{\"model\":\"kafka-narrow\",\"prompt\":\"x\",\"max_tokens\":10}", Map.of());
        var results = await(Topics.RESULTS.name(), r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(run),
                l -> l.size() >= 3, Duration.ZERO);
        assertEquals(3, results.size());
        long ok = results.stream().filter(r -> "200".equals(header(r, "aegaeon-status"))).count();
        long limited = results.stream().filter(r -> "429".equals(header(r, "aegaeon-status"))).count();
        assertEquals(1, ok);
        assertEquals(2, limited);
        for (var r : results)
            if ("429".equals(header(r, "aegaeon-status"))) assertEquals("rate_limit_exceeded", json(r).get("error").get("code").asText());
    }

    @Test
    void streamingInvocationsPublishTokenDeltas() throws Exception {
        String id = "tokens-" + UUID.randomUUID();
        send(id, "{\"model\":\"demo\",\"prompt\":\"delta\",\"max_tokens\":6,\"stream\":true}", Map.of());
        await(Topics.RESULTS.name(), key(id), l -> !l.isEmpty(), Duration.ZERO);
        var deltas = await(Topics.TOKENS.name(), key(id), l -> l.size() >= 6, Duration.ZERO);
        StringBuilder text = new StringBuilder();
        for (var d : deltas) {
            assertEquals("dev.aegaeon.token", header(d, "ce_type"));
            text.append(json(d).get("choices").get(0).get("text").asText());
        }
        assertEquals("[demo]", text.toString());
        assertTrue(deltas.size() == 6, "one record per token");
    }
}
