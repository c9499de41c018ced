package dev.aegaeon.runtime.cuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Device sampling against {@link SamplingTwin}, its CPU twin: greedy, temperature, top-k, top-p
 * and their combination on fresh random logits; only ids come back from the device.
 */
class CudaSamplingConformanceTest {
    static CudaDevice dev;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() {
        CudaAvailability a = CudaAvailability.probe();
        Assumptions.assumeTrue(a.available(), a.reason());
        dev = CudaDevice.open(0, new CudaConfig(0.2, 0.25, 2L << 20, 0));
    }

    @AfterAll
    static void close() { if (dev != null) dev.close(); }

    @RepeatedTest(3)
    void sampledIdsMatchTheCpuTwin() {
        dev.makeCurrent();
        int vocab = 50_000 + rnd.nextInt(1000);
        float[] temp = {0f, 1f, 0.7f, 1.3f, 1f, 0.5f, 0.8f, 2f};
        int[] topK = {0, 0, 50, 0, 1000, 1, 40, 5};
        float[] topP = {1f, 1f, 1f, 0.9f, 0.5f, 1f, 0.95f, 0.3f};
        int rows = temp.length;
        long[] seeds = new long[rows], steps = new long[rows];
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (rnd.nextGaussian() * 3);
        for (int r = 0; r < rows; r++) { seeds[r] = rnd.nextLong(); steps[r] = rnd.nextInt(1000); }
        try (var t = new DeviceTestSupport(dev)) {
            CUdeviceptr ids = t.alloc(4L * rows);
            jcuda.driver.JCudaDriver.cuMemsetD32(ids, -7, rows);
            dev.ops().sample(dev.computeStream(), t.f32(logits), rows, vocab, t.f32(temp), t.i32(topK), t.f32(topP),
                    t.i64(seeds), t.i64(steps), ids);
            int[] got = t.readI32(ids, rows);
            int[] want = new int[rows];
            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
                want[r] = SamplingTwin.sample(row, temp[r], topK[r], topP[r], seeds[r], steps[r]);
            }
            assertArrayEquals(want, got);
            assertEquals(SamplingTwin.argmax(java.util.Arrays.copyOfRange(logits, 0, vocab)), got[0]);
            assertEquals(SamplingTwin.argmax(java.util.Arrays.copyOfRange(logits, 5 * vocab, 6 * vocab)), got[5]);
        }
    }
}
