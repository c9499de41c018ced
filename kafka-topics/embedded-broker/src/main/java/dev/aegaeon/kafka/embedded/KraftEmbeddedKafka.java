package dev.aegaeon.kafka.embedded;

import java.io.IOException;
import java.nio.file.Path;

import dev.aegaeon.kafka.EmbeddedKafka;

/** The {@link EmbeddedKafka} that {@link java.util.ServiceLoader} finds: a {@link LocalKafkaBroker} whose data outlives it. */
public final class KraftEmbeddedKafka implements EmbeddedKafka {
    @Override
    public Broker start(int port, Path dataDir) throws IOException {
        return LocalKafkaBroker.start(port, dataDir, false);
    }
}
