package dev.aegaeon.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

import dev.aegaeon.kafka.EmbeddedKafka;

/** This module is what {@link EmbeddedKafka#find} finds: its service file names the KRaft launcher. */
class EmbeddedKafkaLookupTest {
    @Test
    void theServiceLoaderFindsTheKraftLauncher() {
        EmbeddedKafka found = EmbeddedKafka.find(getClass().getClassLoader()).orElseThrow();
        assertInstanceOf(KraftEmbeddedKafka.class, found);
    }
}
