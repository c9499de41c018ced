package dev.aegaeon.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every manifest parses into fabric8's Kubernetes/Knative model classes with no unknown field. */
class ManifestParsingTest {

    @Test
    void everyBaseFileParsesIntoTheModelClasses() throws Exception {
        Manifests base = Manifests.baseFiles();
        Set<String> kinds = base.resources().stream().map(r -> r.getKind()).collect(Collectors.toSet());
        assertEquals(Set.of("Namespace", "Service", "Broker", "Trigger", "KafkaSource", "KafkaSink"), kinds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void eachOverlayRendersWithKubectlAndParses(String overlay) throws Exception {
        var kubectl = Manifests.kubectl();
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not installed: overlay rendering not checked");
        Manifests rendered = Manifests.render(kubectl.get(), Manifests.overlay(overlay));
        assertEquals(1, rendered.all(io.fabric8.knative.serving.v1.Service.class).size());
        assertEquals(1, rendered.all(io.fabric8.kubernetes.api.model.ConfigMap.class).size());
        for (var r : rendered.resources())
            if (!r.getKind().equals("Namespace")) assertEquals("aegaeon", r.getMetadata().getNamespace(), r.getKind() + " " + r.getMetadata().getName());
    }

    @Test
    void aMisspelledFieldIsRejected() {
        String yaml = """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      timeoutSecond: 600
                      containers: [{image: a}]
                """;
        AssertionError e = assertThrows(AssertionError.class, () -> KubeResources.parseAll(yaml, "inline"));
        assertTrue(e.getMessage().contains("timeoutSecond"), e.getMessage());
    }

    @Test
    void anUnexpectedKindIsRejected() {
        String yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n";
        assertThrows(AssertionError.class, () -> KubeResources.parseAll(yaml, "inline"));
    }

    @Test
    void wellFormedYamlHasNoUnknownFields() throws Exception {
        var parsed = KubeResources.parseAll("apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n", "inline");
        List<String> unknown = new ArrayList<>();
        KubeResources.unknownFields(parsed.get(0), "", unknown);
        assertFalse(parsed.isEmpty());
        assertTrue(unknown.isEmpty(), unknown.toString());
    }
}
