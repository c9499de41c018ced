package dev.aegaeon.knative;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Parses Kubernetes YAML into fabric8 model classes, strictly: every document must be one of the
 * kinds this deployment uses, and no field may land in a model's {@code additionalProperties}
 * (that is where fabric8 puts fields its schema does not know, i.e. typos and wrong API versions).
 */
final class KubeResources {
    private KubeResources() {}

    /** Every (apiVersion, kind) the manifests may contain and the fabric8 class that models it. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "serving.knative.dev/v1/Service", io.fabric8.knative.serving.v1.Service.class,
            "eventing.knative.dev/v1/Broker", io.fabric8.knative.eventing.v1.Broker.class,
            "eventing.knative.dev/v1/Trigger", io.fabric8.knative.eventing.v1.Trigger.class,
            "sources.knative.dev/v1beta1/KafkaSource", io.fabric8.knative.sources.v1beta1.KafkaSource.class,
            "eventing.knative.dev/v1alpha1/KafkaSink", io.fabric8.knative.eventing.v1alpha1.KafkaSink.class);

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Every document of a (multi-document) YAML text, parsed; fails on unknown kinds or fields. */
    static List<HasMetadata> parseAll(String yaml, String origin) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) continue;
                String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                Class<? extends HasMetadata> type = KINDS.get(key);
                if (type == null) throw new AssertionError(origin + ": unexpected resource kind " + key);
                HasMetadata resource = SERIALIZATION.unmarshal(doc.toString(), type);
                String where = origin + ": " + key + " " + resource.getMetadata().getName();
                List<String> unknown = new ArrayList<>();
                unknownFields(resource, "", unknown);
                if (!unknown.isEmpty()) throw new AssertionError(where + " has fields its schema does not define: " + unknown);
                out.add(resource);
            }
        }
        return out;
    }

    /** Collects the paths of values fabric8 could not map to a schema field. */
    static void unknownFields(Object value, String path, List<String> unknown) {
        if (value == null) return;
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) unknownFields(v, path + "[" + i++ + "]", unknown);
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) unknownFields(e.getValue(), path + "." + e.getKey(), unknown);
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) return;
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) continue;
            Object child;
            try {
                child = m.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot read " + path + "." + m.getName(), e);
            }
            String field = path + "." + Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty())
                    extra.keySet().forEach(k -> unknown.add((path.isEmpty() ? "" : path.substring(1) + ".") + k));
            } else {
                unknownFields(child, field, unknown);
            }
        }
    }
}
