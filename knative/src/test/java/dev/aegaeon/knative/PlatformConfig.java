package dev.aegaeon.knative;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Properties;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.funqy.InvocationEvents;
import dev.aegaeon.platform.funqy.ModelFunctions;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.quarkus.funqy.Funq;

/** What the platform application declares: its application.properties, config names and Funqy functions. */
final class PlatformConfig {
    private PlatformConfig() {}

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = PlatformRuntime.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in == null) throw new AssertionError("the platform's application.properties is not on the test classpath");
            p.load(in);
        }
        return p;
    }

    static int httpPort() throws IOException {
        return Integer.parseInt(applicationProperties().getProperty("quarkus.http.port", "8080"));
    }

    /** Quarkus' health root ({@code quarkus.smallrye-health.root-path}, under the non-application root {@code /q}). */
    static String healthRoot() throws IOException {
        Properties p = applicationProperties();
        String root = p.getProperty("quarkus.http.non-application-root-path", "/q");
        String health = p.getProperty("quarkus.smallrye-health.root-path", "health");
        return health.startsWith("/") ? health : root + "/" + health;
    }

    /** Every configuration name the platform reads: its application.properties keys, its @ConfigProperty names and its typed mappings' names. */
    static Set<String> configNames() throws IOException {
        Set<String> names = new TreeSet<>();
        applicationProperties().stringPropertyNames().forEach(names::add);
        for (Class<?> mapping : new Class<?>[] {dev.aegaeon.platform.admin.AdminConfig.class, dev.aegaeon.platform.registry.ModelRootsConfig.class}) {
            String prefix = mapping.getAnnotation(io.smallrye.config.ConfigMapping.class).prefix();
            for (var m : mapping.getDeclaredMethods()) names.add(prefix + "." + m.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
        }
        for (var c : PlatformRuntime.class.getDeclaredConstructors())
            for (Parameter p : c.getParameters()) {
                ConfigProperty cp = p.getAnnotation(ConfigProperty.class);
                if (cp != null) names.add(cp.name());
            }
        return names;
    }

    /** The environment variable MicroProfile Config maps to a property name (non-alphanumerics to '_', upper case). */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    /** One Funqy function as Knative Eventing sees it: the event type it takes and the type of its reply. */
    record FunqyRoute(String function, String triggerType, String replyType) {}

    /**
     * The platform's Funqy functions: a {@code @Funq} method's name (or the annotation's value) is
     * its trigger type and {@code <name>.output} its reply type, unless {@code @CloudEventMapping}
     * says otherwise.
     */
    static Set<FunqyRoute> funqyRoutes() {
        Set<FunqyRoute> routes = new java.util.LinkedHashSet<>();
        for (Class<?> c : List.of(ModelFunctions.class, InvocationEvents.class)) {
            for (Method m : c.getDeclaredMethods()) {
                Funq f = m.getAnnotation(Funq.class);
                if (f == null) continue;
                String name = f.value().isEmpty() ? m.getName() : f.value();
                CloudEventMapping mapping = m.getAnnotation(CloudEventMapping.class);
                String trigger = mapping != null && !mapping.trigger().isEmpty() ? mapping.trigger() : name;
                String reply = mapping != null && !mapping.responseType().isEmpty() ? mapping.responseType() : name + ".output";
                routes.add(new FunqyRoute(name, trigger, reply));
            }
        }
        return routes;
    }
}
