package dev.aegaeon.platform.kafka;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import dev.aegaeon.kafka.CloudEventHeaders;
import dev.aegaeon.kafka.ReplyRoute;
import dev.aegaeon.kafka.Topics;

/**
 * Decides, before an invocation runs, whether its answer can be delivered where the record's
 * {@code REPLY_TOPIC} / {@code REPLY_PARTITION} headers ask: a valid topic name that exists, starts
 * with an allowed prefix, is neither internal ({@code __}) nor the invocation, token or dead-letter topic,
 * and a 4-byte partition within that topic's partition count. A route that fails is refused, so
 * the record is dead-lettered instead of a result that would block a send, auto-create a topic or
 * land in the invocation topic. Never blocks: topic metadata comes from the admin client
 * asynchronously and is cached briefly.
 */
final class ReplyTopics implements AutoCloseable {
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final long KNOWN_NANOS = 60_000_000_000L, UNKNOWN_NANOS = 5_000_000_000L;

    /** A validated route: the topic and, when the requester asked for one, the partition. */
    record Checked(String topic, OptionalInt partition) {}

    private record Cached(CompletableFuture<OptionalInt> partitions, long expiresAt) {}

    private final Admin admin;
    private final List<String> allowedPrefixes;
    private final Map<String, Cached> partitionCounts = new ConcurrentHashMap<>();

    ReplyTopics(String bootstrapServers, List<String> allowedPrefixes) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "aegaeon-reply-topics",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        this.allowedPrefixes = List.copyOf(allowedPrefixes);
    }

    /** The route for {@code headers}, or a failed stage whose message says why it cannot be answered. */
    CompletionStage<Checked> check(Headers headers) {
        Optional<String> asked = CloudEventHeaders.text(headers, ReplyRoute.REPLY_TOPIC);
        String topic = asked.orElse(Topics.RESULTS.name());
        if (asked.isPresent()) {
            Optional<String> refused = refusal(topic);
            if (refused.isPresent()) return CompletableFuture.failedFuture(new Unanswerable(refused.get()));
        }
        Header p = headers.lastHeader(ReplyRoute.REPLY_PARTITION);
        OptionalInt partition = OptionalInt.empty();
        if (p != null) {
            if (p.value() == null || p.value().length != 4)
                return CompletableFuture.failedFuture(new Unanswerable("REPLY_PARTITION must be a 4-byte big-endian int"));
            int value = ByteBuffer.wrap(p.value()).getInt();
            if (value < 0) return CompletableFuture.failedFuture(new Unanswerable("REPLY_PARTITION is negative: " + value));
            partition = OptionalInt.of(value);
        }
        OptionalInt wanted = partition;
        return partitions(topic).thenCompose(count -> {
            if (count.isEmpty())
                return CompletableFuture.failedFuture(new Unanswerable("REPLY_TOPIC " + InvocationRecords.shown(topic) + " does not exist"));
            if (wanted.isPresent() && wanted.getAsInt() >= count.getAsInt())
                return CompletableFuture.failedFuture(new Unanswerable("REPLY_PARTITION " + wanted.getAsInt() + " is not a partition of "
                        + InvocationRecords.shown(topic) + " (" + count.getAsInt() + " partitions)"));
            return CompletableFuture.completedFuture(new Checked(topic, wanted));
        });
    }

    /** Why {@code topic} may not receive answers, from its name alone; empty when it may. */
    Optional<String> refusal(String topic) {
        if (!LEGAL_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals(".."))
            return Optional.of("REPLY_TOPIC " + InvocationRecords.shown(topic) + " is not a valid topic name");
        if (topic.startsWith("__") || topic.equals(Topics.INVOCATIONS.name()) || topic.equals(Topics.INVOCATIONS_DLQ.name())
                || topic.equals(Topics.TOKENS.name()))
            return Optional.of("REPLY_TOPIC " + InvocationRecords.shown(topic) + " is reserved");
        if (!topic.equals(Topics.RESULTS.name()) && allowedPrefixes.stream().noneMatch(topic::startsWith))
            return Optional.of("REPLY_TOPIC " + InvocationRecords.shown(topic) + " does not start with an allowed prefix " + allowedPrefixes);
        return Optional.empty();
    }

    /** The partition count of {@code topic}, empty when it does not exist. */
    private CompletableFuture<OptionalInt> partitions(String topic) {
        long now = System.nanoTime();
        Cached c = partitionCounts.get(topic);
        if (c != null && now - c.expiresAt() < 0) return c.partitions();
        CompletableFuture<OptionalInt> lookup = new CompletableFuture<>();
        // A topic known to exist keeps its last count while the refresh runs: no record waits for it.
        boolean known = c != null && c.partitions().isDone() && c.partitions().join().isPresent();
        CompletableFuture<OptionalInt> answer = known ? c.partitions() : lookup;
        partitionCounts.put(topic, new Cached(answer, now + UNKNOWN_NANOS));
        admin.describeTopics(List.of(topic)).allTopicNames().whenComplete((d, e) -> {
            if (e == null) {
                lookup.complete(OptionalInt.of(d.get(topic).partitions().size()));
                partitionCounts.put(topic, new Cached(lookup, System.nanoTime() + KNOWN_NANOS));
            } else {
                lookup.complete(OptionalInt.empty()); // unknown topic (or unreachable broker): not answerable now
                partitionCounts.put(topic, new Cached(lookup, System.nanoTime() + UNKNOWN_NANOS));
            }
        });
        if (partitionCounts.size() > 10_000) partitionCounts.clear(); // bounded: names come from clients
        return answer;
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }

    /** A route that cannot be answered; the message is the dead letter's cause. */
    static final class Unanswerable extends RuntimeException {
        Unanswerable(String message) {
            super(message, null, false, false);
        }
    }
}
