package dev.aegaeon.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.TopicProvisioner;
import dev.aegaeon.kafka.TopicSpec;
import dev.aegaeon.kafka.Topics;

class LocalKafkaBrokerTest {
    static LocalKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = LocalKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void createsTheCatalogueOnceWithPartitionsAndRetention() throws Exception {
        try (Admin admin = Admin.create(broker.adminConfig())) {
            List<String> created = TopicProvisioner.ensure(admin, Topics.ALL, 30_000);
            assertEquals(Topics.ALL.stream().map(TopicSpec::name).toList(), created);
            assertEquals(List.of(), TopicProvisioner.ensure(admin, Topics.ALL, 30_000), "second call creates nothing");

            Map<String, TopicDescription> described = admin.describeTopics(
                    Topics.ALL.stream().map(TopicSpec::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
            for (TopicSpec t : Topics.ALL) {
                assertEquals(t.partitions(), described.get(t.name()).partitions().size(), t.name());
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                assertEquals(Long.toString(t.retention().toMillis()), config.get("retention.ms").value(), t.name());
            }
        }
    }

    @Test
    void aTopicIsNeverCreatedByUsingIt() throws Exception {
        String topic = "broker-test-never-created";
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000),
                new StringSerializer(), new StringSerializer())) {
            var sent = producer.send(new ProducerRecord<>(topic, "k", "v"));
            assertThrows(java.util.concurrent.ExecutionException.class, () -> sent.get(30, TimeUnit.SECONDS));
        }
        try (Admin admin = Admin.create(broker.adminConfig())) {
            assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic), "auto.create.topics.enable must be false");
        }
    }

    @Test
    void producedRecordIsConsumedWithItsCloudEventHeaders() throws Exception {
        String topic = "broker-test-roundtrip";
        try (Admin admin = Admin.create(broker.adminConfig())) { // the broker creates no topic on first use
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            var record = new ProducerRecord<String, String>(topic, "inv-1", "{\"model\":\"demo\"}");
            CloudEventHeaders.write(record.headers(), "inv-1", CloudEventHeaders.TYPE_INVOCATION, "/test", Instant.EPOCH);
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "broker-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertEquals(1, got.size());
        ConsumerRecord<String, String> r = got.getFirst();
        assertEquals("inv-1", r.key());
        assertEquals("{\"model\":\"demo\"}", r.value());
        assertEquals("1.0", CloudEventHeaders.text(r.headers(), CloudEventHeaders.SPEC_VERSION).orElseThrow());
        assertEquals("dev.aegaeon.invocation", CloudEventHeaders.text(r.headers(), CloudEventHeaders.TYPE).orElseThrow());
        assertEquals("application/json", new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
    }

    @Test
    void aRestartOnTheSameDirectoryKeepsTopicsAndRecords(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (LocalKafkaBroker first = LocalKafkaBroker.start(0, dir, false);
             Admin admin = Admin.create(first.adminConfig())) {
            TopicProvisioner.ensure(admin, Topics.ALL, 30_000);
        }
        try (LocalKafkaBroker again = LocalKafkaBroker.start(0, dir, false);
             Admin admin = Admin.create(again.adminConfig())) {
            assertEquals(List.of(), TopicProvisioner.ensure(admin, Topics.ALL, 30_000), "the topics survived");
        }
    }

    @Test
    void closeStopsTheBrokerAndRemovesItsTemporaryDirectory() throws Exception {
        LocalKafkaBroker second = LocalKafkaBroker.startTemporary();
        assertTrue(Files.isDirectory(second.dataDir()));
        assertFalse(second.bootstrapServers().equals(broker.bootstrapServers()), "two brokers get two ports");
        second.close();
        assertFalse(Files.exists(second.dataDir()));
    }
}
