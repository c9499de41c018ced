package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.ModelWeights;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Two models of one source identity share their pinned host bytes but not their device copies;
 * another identity gets its own pinned bytes; releasing one model leaves the other's intact.
 * Skips without a GPU.
 */
class HostCacheSharingTest {

    @Test
    void sameIdentitySharesPinnedBytesButNotDeviceCopies() {
        CudaAvailability a = CudaAvailability.probe();
        Assumptions.assumeTrue(a.available(), a.reason());
        ModelConfig config = ModelShapes.tiny(ModelFamily.QWEN2);
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, CudaConfig.oneAllocation(0.3)), true);
             SyntheticWeights first = new SyntheticWeights(config, 1);
             SyntheticWeights sameImage = new SyntheticWeights(config, 1);
             SyntheticWeights other = new SyntheticWeights(config, 2)) {
            ModelWeights m1 = ModelWeights.load(config, first, cuda);
            long pinned = cuda.hostCacheBytes();
            assertTrue(pinned > 0);
            ModelWeights m2 = ModelWeights.load(config, sameImage, cuda);
            cuda.awaitWeightLoads();
            assertEquals(pinned, cuda.hostCacheBytes(), "the second model reuses the pinned bytes");
            CudaWeight e1 = (CudaWeight) m1.embed(), e2 = (CudaWeight) m2.embed();
            assertSame(e1.host, e2.host);
            assertTrue(e1.resident() && e2.resident());
            assertNotSame(e1.device, e2.device, "each model has its own device copy");

            m1.release(cuda);
            assertTrue(e2.resident());
            assertEquals(pinned, cuda.hostCacheBytes(), "still referenced by the second model");

            ModelWeights m3 = ModelWeights.load(config, other, cuda);
            assertEquals(2 * pinned, cuda.hostCacheBytes(), "another identity, its own pinned copy");
            m2.release(cuda);
            m3.release(cuda);
        }
    }
}
