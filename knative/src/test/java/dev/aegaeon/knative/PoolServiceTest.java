package dev.aegaeon.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;

/** The rendered pool Service of each overlay matches the image build and the application's configuration. */
class PoolServiceTest {
    static final String GPU = "nvidia.com/gpu";

    static Manifests render(String overlay) throws Exception {
        var kubectl = Manifests.kubectl();
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not installed: overlays not rendered");
        return Manifests.render(kubectl.get(), Manifests.overlay(overlay));
    }

    static Container platform(Manifests m) {
        Service pool = m.one(Service.class, "aegaeon-pool");
        var containers = pool.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "a Knative Service serves one container");
        return containers.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void imageIsTheOneTheBuildProduces(String overlay) throws Exception {
        String expected = System.getProperty("aegaeon.image");
        assertNotNull(expected, "the build passes the image name as -Daegaeon.image");
        assertEquals(expected, platform(render(overlay)).getImage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void portAndHealthProbesMatchTheApplication(String overlay) throws Exception {
        Container c = platform(render(overlay));
        int port = PlatformConfig.httpPort();
        assertEquals(1, c.getPorts().size());
        assertEquals(port, c.getPorts().get(0).getContainerPort());
        // The platform disables HTTP/2, so the port must not be declared h2c.
        if ("false".equals(PlatformConfig.applicationProperties().getProperty("quarkus.http.http2")))
            assertEquals("http1", c.getPorts().get(0).getName());
        String health = PlatformConfig.healthRoot();
        assertEquals(health + "/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals(health + "/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals(port, c.getReadinessProbe().getHttpGet().getPort().getIntVal());
        assertEquals(port, c.getLivenessProbe().getHttpGet().getPort().getIntVal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void everyAegaeonVariableIsAPropertyThePlatformReads(String overlay) throws Exception {
        Set<String> known = PlatformConfig.configNames().stream().map(PlatformConfig::envName).collect(java.util.stream.Collectors.toSet());
        for (EnvVar e : platform(render(overlay)).getEnv())
            if (e.getName().startsWith("AEGAEON_") || e.getName().startsWith("QUARKUS_") || e.getName().startsWith("KAFKA_"))
                assertTrue(known.contains(e.getName()), e.getName() + " maps to no property the platform reads");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void theInvocationDeadlineEndsBeforeKnativeCutsTheRequest(String overlay) throws Exception {
        Manifests m = render(overlay);
        long requestTimeout = m.one(Service.class, "aegaeon-pool").getSpec().getTemplate().getSpec().getTimeoutSeconds();
        String deadline = env(platform(m), "AEGAEON_INVOCATION_DEFAULT_TIMEOUT");
        if (deadline == null) deadline = PlatformConfig.applicationProperties().getProperty("aegaeon.invocation.default-timeout");
        assertTrue(Duration.parse(deadline).toSeconds() < requestTimeout,
                "deadline " + deadline + " must end before timeoutSeconds " + requestTimeout + " so callers get the platform's error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void functionConfigMapIsMountedWhereThePlatformReadsIt(String overlay) throws Exception {
        Manifests m = render(overlay);
        Service pool = m.one(Service.class, "aegaeon-pool");
        var volume = pool.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap volume"));
        m.one(io.fabric8.kubernetes.api.model.ConfigMap.class, volume.getConfigMap().getName());
        var mount = platform(m).getVolumeMounts().stream().filter(v -> v.getName().equals(volume.getName())).findFirst().orElseThrow();
        assertEquals(env(platform(m), "AEGAEON_FUNCTIONS_DIR"), mount.getMountPath());
    }

    @org.junit.jupiter.api.Test
    void gpuProdTakesGpusAndStaysWarm() throws Exception {
        Manifests m = render("gpu-prod");
        Container c = platform(m);
        Map<String, Quantity> limits = c.getResources().getLimits();
        assertTrue(limits.containsKey(GPU), "gpu-prod must request " + GPU);
        assertTrue(Quantity.getAmountInBytes(limits.get(GPU)).intValue() >= 1);
        var annotations = m.one(Service.class, "aegaeon-pool").getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("1", annotations.get("autoscaling.knative.dev/min-scale"));
        assertEquals("concurrency", annotations.get("autoscaling.knative.dev/metric"));
        assertEquals("false", env(c, "AEGAEON_DEMO_ENABLED"));
        assertFalse(c.getReadinessProbe() == null || c.getLivenessProbe() == null, "patches must keep the probes");
    }

    @org.junit.jupiter.api.Test
    void cpuDevHasNoGpuAndScalesToZero() throws Exception {
        Manifests m = render("cpu-dev");
        Container c = platform(m);
        var limits = c.getResources().getLimits();
        assertFalse(limits != null && limits.containsKey(GPU), "cpu-dev must not request GPUs");
        var annotations = m.one(Service.class, "aegaeon-pool").getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("0", annotations.get("autoscaling.knative.dev/min-scale"));
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }
}
