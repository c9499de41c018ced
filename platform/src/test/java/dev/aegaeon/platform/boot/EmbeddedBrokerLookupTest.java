package dev.aegaeon.platform.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

import org.junit.jupiter.api.Test;

import dev.aegaeon.kafka.EmbeddedKafka;
import io.quarkus.runtime.PreventFurtherStepsException;

/**
 * The embedded broker is found at run time: with the broker module on the class path the lookup
 * finds it; with the module hidden (a {@code -Dno-embedded-kafka} build) the start fails with one
 * line naming the bootstrap-servers property and the Maven profile.
 */
class EmbeddedBrokerLookupTest {
    @Test
    void theBrokerModuleOnTheClassPathIsFound() {
        EmbeddedKafka found = EmbeddedBrokerLookup.require(getClass().getClassLoader());
        assertEquals("dev.aegaeon.kafka.embedded.KraftEmbeddedKafka", found.getClass().getName());
    }

    @Test
    void withoutTheBrokerModuleTheStartFailsWithOneClearLine() {
        ClassLoader withoutBroker = new WithoutBrokerModule(getClass().getClassLoader());
        assertThrows(ClassNotFoundException.class, () -> withoutBroker.loadClass("dev.aegaeon.kafka.embedded.LocalKafkaBroker"));

        var refused = assertThrows(PreventFurtherStepsException.class, () -> EmbeddedBrokerLookup.require(withoutBroker));
        assertEquals(1, refused.getExitCode());
        String message = refused.getMessage();
        assertTrue(message.contains("kafka.bootstrap.servers=host:port"), message);
        assertTrue(message.contains("embedded-kafka Maven profile"), message);
        assertTrue(message.contains("-Dno-embedded-kafka"), message);
        assertFalse(message.contains("\n"), message);
    }

    /** The test class path less the broker module: its service file and classes, and the broker's own. */
    private static final class WithoutBrokerModule extends ClassLoader {
        WithoutBrokerModule(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("dev.aegaeon.kafka.embedded.") || name.startsWith("kafka.")) throw new ClassNotFoundException(name);
            return super.loadClass(name, resolve);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (name.equals("META-INF/services/" + EmbeddedKafka.class.getName())) return Collections.emptyEnumeration();
            return super.getResources(name);
        }
    }
}
