package dev.aegaeon.e2e.multinode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.aegaeon.kafka.CloudEventHeaders;

/**
 * Reads every partition of the results topic from the beginning (no consumer group, so it sees
 * every record, duplicates included) and records each result by invocation id (the record key).
 */
final class ResultCollector implements AutoCloseable {
    /** One result record: its status header and value. */
    record Result(String status, String type, String value) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, List<Result>> byId = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ResultCollector(String bootstrapServers, String topic, int partitions) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var tps = java.util.stream.IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread = new Thread(this::run, "result-collector");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String id = r.key() == null ? "(no key)" : new String(r.key(), StandardCharsets.UTF_8);
                    byId.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(new Result(
                            CloudEventHeaders.text(r.headers(), "aegaeon-status").orElse("?"),
                            CloudEventHeaders.text(r.headers(), CloudEventHeaders.TYPE).orElse("?"),
                            new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    Map<String, List<Result>> results() {
        return byId;
    }

    int answered() {
        return byId.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
