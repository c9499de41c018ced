package dev.aegaeon.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionSpecCodec;
import dev.aegaeon.functions.ModelSource;
import io.fabric8.kubernetes.api.model.ConfigMap;

/** The model functions shipped as configuration are valid function specs, as the platform reads them. */
class FunctionConfigMapTest {

    @ParameterizedTest
    @ValueSource(strings = {"base/functions", "overlays/gpu-prod/functions"})
    void everyFunctionFileIsAValidSpecNamedLikeItsFile(String dir) throws Exception {
        Path d = Manifests.KNATIVE_DIR.resolve(dir);
        List<FunctionSpec> specs = FunctionSpecCodec.readDirectory(d);
        assertFalse(specs.isEmpty());
        try (var files = Files.list(d)) {
            List<String> stems = files.map(f -> f.getFileName().toString().replaceFirst("\\.ya?ml$", "")).sorted().toList();
            assertEquals(stems, specs.stream().map(FunctionSpec::name).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-dev", "gpu-prod"})
    void renderedConfigMapHoldsValidSpecsWithUniqueNames(String overlay) throws Exception {
        ConfigMap cm = PoolServiceTest.render(overlay).one(ConfigMap.class, "aegaeon-functions");
        Set<String> names = new HashSet<>();
        for (var e : cm.getData().entrySet()) {
            FunctionSpec spec = FunctionSpecCodec.parseYaml(e.getValue());
            assertEquals(e.getKey().replaceFirst("\\.ya?ml$", ""), spec.name());
            assertTrue(names.add(spec.name()), "duplicate function " + spec.name());
            if (overlay.equals("gpu-prod") && spec.model() instanceof ModelSource.HfDirectory hf)
                assertTrue(hf.path().startsWith("/models"), spec.name() + " must read its weights from the mounted /models volume");
        }
        if (overlay.equals("gpu-prod")) assertTrue(names.size() > 1, "gpu-prod adds real model functions: " + names);
    }
}
