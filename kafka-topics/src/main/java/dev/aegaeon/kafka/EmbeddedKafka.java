package dev.aegaeon.kafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Starts a local single-node Kafka broker: the platform's embedded default. The implementation and
 * the broker's jars live in module {@code aegaeon-kafka-embedded-broker} and are found at run time
 * through {@link ServiceLoader}, so code that uses this interface compiles without them and a build
 * that leaves them out runs against its own Kafka; {@link #find} is then empty.
 */
public interface EmbeddedKafka {

    /** A running broker. */
    interface Broker extends AutoCloseable {
        /** The value for {@code bootstrap.servers}. */
        String bootstrapServers();

        /** Shuts the broker down and waits for it; a second call does nothing. */
        @Override
        void close();
    }

    /**
     * Starts a broker that listens on 127.0.0.1 only and returns once it answers metadata requests.
     * A data directory formatted by an earlier start is reused with its topics and offsets; the
     * directory is kept on close.
     *
     * @param port the client port; 0 picks a free one
     * @param dataDir log and metadata directory; created if absent
     */
    Broker start(int port, Path dataDir) throws IOException;

    /** The implementation that {@code loader} sees, or empty when the broker module is not on its class path. */
    static Optional<EmbeddedKafka> find(ClassLoader loader) {
        return ServiceLoader.load(EmbeddedKafka.class, loader).findFirst();
    }
}
