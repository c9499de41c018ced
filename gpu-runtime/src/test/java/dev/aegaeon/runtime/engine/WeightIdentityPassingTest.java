package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Loading a model hands the backend its source's identity with every tensor (what lets CUDA share pinned bytes). */
class WeightIdentityPassingTest {

    @Test
    void everyTensorIsLoadedWithTheSourcesIdentity() {
        ModelConfig config = TestModels.tiny(ModelFamily.QWEN2);
        List<Object> identities = new ArrayList<>();
        try (CpuBackend cpu = new CpuBackend(1); SyntheticWeights weights = new SyntheticWeights(config, 3)) {
            Backend recording = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("loadWeight")) {
                            identities.add(args.length == 2 ? args[1] : "no identity passed");
                        }
                        try {
                            return method.invoke(cpu, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            ModelWeights loaded = ModelWeights.load(config, weights, recording);
            assertNotNull(loaded.embed());
            assertFalse(identities.isEmpty());
            Optional<String> expected = weights.identity();
            assertTrue(expected.isPresent());
            for (Object id : identities) assertEquals(expected, id);
        }
    }
}
