package dev.aegaeon.platform.boot;

import dev.aegaeon.kafka.EmbeddedKafka;
import io.quarkus.runtime.PreventFurtherStepsException;

/**
 * Finds the embedded Kafka broker when {@code kafka.bootstrap.servers} is unset. A build made with
 * {@code -Dno-embedded-kafka} ships no broker; asking it for one stops the start with one line that
 * says what to do instead.
 */
final class EmbeddedBrokerLookup {
    /** What Quarkus prints (one line, no stack trace) when the broker module is missing. */
    static final String MISSING = "This build has no embedded Kafka broker: set kafka.bootstrap.servers=host:port"
            + " to use your Kafka, or build with the embedded-kafka Maven profile (on unless -Dno-embedded-kafka).";

    private EmbeddedBrokerLookup() {}

    /** The broker launcher {@code loader} sees; if none, a start failure with {@link #MISSING} and exit status 1. */
    static EmbeddedKafka require(ClassLoader loader) {
        return EmbeddedKafka.find(loader).orElseThrow(() -> new PreventFurtherStepsException(MISSING, 1));
    }
}
