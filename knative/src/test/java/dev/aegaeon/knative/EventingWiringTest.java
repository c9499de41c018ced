package dev.aegaeon.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.aegaeon.kafka.TopicSpec;
import dev.aegaeon.kafka.Topics;
import io.fabric8.knative.duck.v1.KReference;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1alpha1.KafkaSink;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.sources.v1beta1.KafkaSource;

/**
 * The Eventing wiring agrees with the code: Kafka topics come from the kafka-topics catalogue,
 * Triggers route exactly the platform's Funqy function types to the pool and their
 * {@code <function>.output} replies to the results sink, and every reference resolves.
 */
class EventingWiringTest {
    static Manifests base;

    @BeforeAll
    static void parse() throws Exception {
        base = Manifests.baseFiles();
    }

    static Set<String> catalogue() {
        return Topics.ALL.stream().map(TopicSpec::name).collect(Collectors.toSet());
    }

    @Test
    void kafkaSourceReadsTheInvocationsTopicOfTheCatalogue() {
        KafkaSource source = base.one(KafkaSource.class, "aegaeon-invocations");
        assertFalse(source.getSpec().getTopics().isEmpty());
        assertTrue(catalogue().containsAll(source.getSpec().getTopics()), "not in the catalogue: " + source.getSpec().getTopics());
        assertEquals(java.util.List.of(Topics.INVOCATIONS.name()), source.getSpec().getTopics());
        assertFalse(source.getSpec().getBootstrapServers().isEmpty());
        assertResolves(source.getSpec().getSink().getRef(), "KafkaSource sink");
    }

    @Test
    void kafkaSinkWritesTheResultsTopicOfTheCatalogue() {
        KafkaSink sink = base.one(KafkaSink.class, "aegaeon-results");
        assertTrue(catalogue().contains(sink.getSpec().getTopic()), sink.getSpec().getTopic());
        assertEquals(Topics.RESULTS.name(), sink.getSpec().getTopic());
        // Binary mode: ce_ headers, like the platform's own result records.
        assertEquals("binary", sink.getSpec().getContentMode());
    }

    @Test
    void everyFunqyFunctionHasATriggerToThePoolAndOneForItsReply() {
        var routes = PlatformConfig.funqyRoutes();
        assertFalse(routes.isEmpty(), "no @Funq methods found in the platform");
        Set<String> toPool = new TreeSet<>();
        Set<String> toResults = new TreeSet<>();
        for (Trigger t : base.all(Trigger.class)) {
            String type = t.getSpec().getFilter().getAttributes().get("type");
            KReference ref = t.getSpec().getSubscriber().getRef();
            assertResolves(ref, "Trigger " + t.getMetadata().getName());
            base.one(Broker.class, t.getSpec().getBroker());
            if (ref.getKind().equals("Service")) toPool.add(type);
            else if (ref.getKind().equals("KafkaSink")) toResults.add(type);
            else throw new AssertionError("Trigger " + t.getMetadata().getName() + " routes to an unexpected " + ref.getKind());
        }
        assertEquals(routes.stream().map(PlatformConfig.FunqyRoute::triggerType).collect(Collectors.toSet()), toPool,
                "types routed to the pool must be exactly the event types the Funqy functions take");
        assertEquals(routes.stream().map(PlatformConfig.FunqyRoute::replyType).collect(Collectors.toSet()), toResults,
                "each Funqy reply type (<function>.output, or the mapped one) must reach the results sink");
    }

    @Test
    void triggersToThePoolAllowLongGenerations() {
        Service pool = base.one(Service.class, "aegaeon-pool");
        long serviceTimeout = pool.getSpec().getTemplate().getSpec().getTimeoutSeconds();
        for (Trigger t : base.all(Trigger.class)) {
            if (!t.getSpec().getSubscriber().getRef().getKind().equals("Service")) continue;
            long seconds = java.time.Duration.parse(t.getSpec().getDelivery().getTimeout()).toSeconds();
            assertTrue(seconds >= serviceTimeout, t.getMetadata().getName() + " delivery timeout " + seconds
                    + "s is shorter than the pool's request timeout " + serviceTimeout + "s");
        }
    }

    private static void assertResolves(KReference ref, String what) {
        assertTrue(base.has(ref.getApiVersion(), ref.getKind(), ref.getName()),
                what + " refers to " + ref.getApiVersion() + " " + ref.getKind() + " " + ref.getName() + ", which the manifests do not define");
    }
}
