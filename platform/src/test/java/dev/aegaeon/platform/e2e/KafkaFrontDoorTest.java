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

    /** Every matching record of {@code topic} up to its current end. */
    static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Predicate<ConsumerRecord<byte[], byte[]>> match) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var parts = consumer.partitionsFor(topic).stream().map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            var ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p)))
                for (var r : consumer.poll(Duration.ofMillis(100))) if (match.test(r)) got.add(r);
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
        // 500 ms per token: the first invocation holds the only slot for 5 s, long past the other two
        // records' arrival even on a loaded machine (20 ms, 200 ms in all, let the first finish early).
        var spec = java.net.http.HttpRequest.newBuilder(base.resolve("/admin/functions/kafka-narrow"))
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"kafka-narrow\",\"model\":{\"synthetic\":{\"tokenInterval\":\"500ms\"}},"
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
        // Six token records, then the closing chunk that carries finish_reason (as OpenAI streams end).
        var records = await(Topics.TOKENS.name(), key(id), l -> l.size() >= 7, Duration.ofMillis(500));
        var deltas = records.stream().filter(d -> finishReason(d) == null).toList();
        StringBuilder text = new StringBuilder();
        for (var d : deltas) {
            assertEquals("dev.aegaeon.token", header(d, "ce_type"));
            text.append(json(d).get("choices").get(0).get("text").asText());
        }
        assertEquals("[demo]", text.toString());
        assertTrue(deltas.size() == 6, "one record per token");
        assertEquals(7, records.size(), "the token records and one closing record");
        assertEquals("length", finishReason(records.getLast()), "the stream ends with a record carrying finish_reason");
    }

    static String finishReason(ConsumerRecord<byte[], byte[]> r) {
        try {
            JsonNode f = json(r).get("choices").get(0).get("finish_reason");
            return f == null || f.isNull() ? null : f.asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A record exactly as given: no CloudEvents headers unless {@code headers} has them. */
    static void sendRaw(String key, String value, Map<String, byte[]> headers) throws Exception {
        var r = new ProducerRecord<>(Topics.INVOCATIONS.name(), key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        headers.forEach((k, v) -> r.headers().add(k, v));
        producer.send(r).get(30, TimeUnit.SECONDS);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeadLetterKeepsNoSecretAndNoHttpAdvice() throws Exception {
        String poison = "secret-poison-" + UUID.randomUUID();
        send(poison, "{not json", Map.of("authorization", utf8("Bearer sk-very-secret")));
        var dead = await(Topics.INVOCATIONS_DLQ.name(), key(poison), l -> !l.isEmpty(), Duration.ZERO).getFirst();
        assertEquals("malformed-invocation", header(dead, "dead-letter-reason"));
        assertEquals(null, dead.headers().lastHeader("authorization"), "the API key must not be kept in the dead-letter topic");
        for (var h : dead.headers())
            assertTrue(!new String(h.value(), StandardCharsets.UTF_8).contains("sk-very-secret"), "secret copied in header " + h.key());
        String cause = header(dead, "dead-letter-cause");
        assertTrue(cause != null && !cause.isBlank(), "the cause says what was wrong");
        assertTrue(!cause.contains("HINT") && !cause.contains("HTTP"), "HTTP-client advice in a Kafka dead letter: " + cause);
    }

    @Test
    void unanswerableReplyRoutesAreDeadLetteredAndDoNotHoldUpOthers() throws Exception {
        String run = "route-" + UUID.randomUUID();
        String unknown = "aegaeon.no-such-topic-" + UUID.randomUUID();
        Map<String, Map<String, byte[]>> bad = new java.util.LinkedHashMap<>();
        bad.put(run + "-partition", Map.of("REPLY_PARTITION", new byte[] {0x7f, (byte) 0xff, 0x13, 0x37}));
        bad.put(run + "-name", Map.of("REPLY_TOPIC", utf8("bad topic!")));
        bad.put(run + "-internal", Map.of("REPLY_TOPIC", utf8("__consumer_offsets")));
        bad.put(run + "-loop", Map.of("REPLY_TOPIC", utf8(Topics.INVOCATIONS.name())));
        bad.put(run + "-unknown", Map.of("REPLY_TOPIC", utf8(unknown)));
        bad.put(run + "-foreign", Map.of("REPLY_TOPIC", utf8("someone-elses-topic")));
        for (var e : bad.entrySet()) send(e.getKey(), "{\"model\":\"demo\",\"prompt\":\"x\",\"max_tokens\":2}", e.getValue());
        String after = run + "-after";
        send(after, "{\"model\":\"demo\",\"prompt\":\"after\",\"max_tokens\":2}", Map.of());

        var dead = await(Topics.INVOCATIONS_DLQ.name(), r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(run),
                l -> l.size() >= bad.size(), Duration.ZERO);
        assertEquals(bad.keySet(), dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(java.util.stream.Collectors.toSet()));
        for (var d : dead) assertEquals("unanswerable-reply-route", header(d, "dead-letter-reason"), header(d, "dead-letter-cause"));
        assertEquals(1, await(Topics.RESULTS.name(), key(after), l -> !l.isEmpty(), Duration.ZERO).size());
        assertEquals(List.of(), readToEnd(Topics.INVOCATIONS.name(), r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(run)
                && r.headers().lastHeader("aegaeon-status") != null).stream().map(r -> r.offset()).toList(),
                "a result was written into the invocation topic");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()))) {
            assertTrue(!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(unknown), "a reply header created a topic");
        }
    }

    @Test
    void foreignCloudEventsAreDeadLetteredAndPlainRecordsAccepted() throws Exception {
        String run = "ce-" + UUID.randomUUID();
        String body = "{\"model\":\"demo\",\"prompt\":\"ce\",\"max_tokens\":2}";
        send(run + "-type", body, Map.of("ce_type", utf8("com.evil.type")));
        send(run + "-version", body, Map.of("ce_specversion", utf8("0.1")));
        sendRaw(run + "-plain", body, Map.of());
        var dead = await(Topics.INVOCATIONS_DLQ.name(), r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(run),
                l -> l.size() >= 2, Duration.ZERO);
        assertEquals(java.util.Set.of(run + "-type", run + "-version"),
                dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(java.util.stream.Collectors.toSet()));
        for (var d : dead) assertEquals("foreign-cloud-event", header(d, "dead-letter-reason"));
        assertEquals("200", header(await(Topics.RESULTS.name(), key(run + "-plain"), l -> !l.isEmpty(), Duration.ZERO).getFirst(), "aegaeon-status"));
        assertEquals(List.of(), readToEnd(Topics.RESULTS.name(), r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(run)
                && !new String(r.key(), StandardCharsets.UTF_8).endsWith("-plain")), "a foreign event was answered");
    }

    @Test
    void aReSentRequestReplyIdIsToldItIsADuplicateOfTheFirstAnswer() throws Exception {
        String replies = "aegaeon.replies-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(replies, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String id = "again-" + UUID.randomUUID();
        String body = "{\"model\":\"demo\",\"prompt\":\"twice\",\"max_tokens\":3}";
        send(id, body, Map.of("REPLY_TOPIC", utf8(replies), "REPLY_CORRELATION_ID", new byte[] {1}));
        await(replies, key(id), l -> !l.isEmpty(), Duration.ZERO);
        send(id, body, Map.of("REPLY_TOPIC", utf8(replies), "REPLY_CORRELATION_ID", new byte[] {2}));
        var got = await(replies, key(id), l -> l.size() >= 2, Duration.ZERO);
        assertEquals(2, got.size());
        assertEquals("200", header(got.get(0), "aegaeon-status"));
        var second = got.get(1);
        assertArrayEquals(new byte[] {2}, second.headers().lastHeader("REPLY_CORRELATION_ID").value());
        assertEquals("409", header(second, "aegaeon-status"));
        assertEquals("duplicate_invocation", json(second).get("error").get("code").asText());
        assertEquals(id, header(second, "aegaeon-duplicate-of"));
    }
}
