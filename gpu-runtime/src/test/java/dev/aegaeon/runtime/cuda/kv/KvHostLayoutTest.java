package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.weights.DType;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The CUDA swap's host format against the CPU backend's, without a GPU: device block images are
 * built with the kernels' addressing (kv_offset in common.cuh) from the same K/V the CPU cache
 * holds, and must widen into exactly what {@code CpuBackend.readKvBlocks} returns.
 */
class KvHostLayoutTest {
    private final Random rnd = new Random(7);

    @Test
    void deviceBlocksWidenIntoTheCpuBackendsHostLayoutAndRoundTripExactly() {
        var shape = new KvCacheShape(3, 2, 8, 5, 6);
        int slots = (int) shape.slots(), kvDim = shape.kvHeads() * shape.headDim();
        float[][][] data = new float[shape.layers()][2][slots * kvDim]; // [layer][K|V][slot][kvDim]
        try (CpuBackend cpu = new CpuBackend(1)) {
            KvCache cache = cpu.allocateKvCache(shape);
            int[] all = new int[slots];
            for (int i = 0; i < slots; i++) all[i] = i;
            var step = cpu.beginStep(new StepLayout(new int[slots], new int[slots], all, new int[] {0, slots},
                    new int[] {slots}, new int[0], 0, new int[0]));
            for (int l = 0; l < shape.layers(); l++) {
                Tensor k = cpu.allocate(slots, kvDim), v = cpu.allocate(slots, kvDim);
                for (int side = 0; side < 2; side++) {
                    for (int i = 0; i < data[l][side].length; i++) {
                        data[l][side][i] = DType.bf16ToFloat(DType.floatToBf16((float) rnd.nextGaussian()));
                    }
                }
                cpu.copyFromHost(data[l][0], k);
                cpu.copyFromHost(data[l][1], v);
                cpu.writeKv(k, v, cache, l, step);
            }
            int[] listed = {4, 1, 2, 5};
            float[] expected = cpu.readKvBlocks(cache, listed);

            int blockElems = (int) (2 * shape.layers() * shape.elementsPerBlockPerLayer());
            float[] host = new float[KvHostLayout.hostLength(shape, listed.length)];
            for (int i = 0; i < listed.length; i++) {
                short[] image = deviceImage(shape, data, listed[i], blockElems);
                KvHostLayout.blockToHost(shape, image, i, listed.length, host);
                short[] back = new short[blockElems];
                KvHostLayout.hostToBlock(shape, expected, i, listed.length, back);
                assertArrayEquals(image, back, "block " + listed[i] + " rounds back to its bf16 bits");
            }
            assertArrayEquals(expected, host);
        }
    }

    /**
     * The pinned path converts in the staging buffer: reading a device image from a segment (at an
     * offset, as the chunk's i-th block) equals the array conversion, and writing one produces the
     * same bf16 bits, little-endian as the device stores them.
     */
    @Test
    void segmentConversionsEqualTheArrayOnes() {
        var shape = new KvCacheShape(2, 3, 4, 5, 10);
        int blockElems = (int) (2 * shape.layers() * shape.elementsPerBlockPerLayer()), count = 3;
        long offset = 2L * blockElems + 6; // the third block of a chunk, past a few leading bytes
        float[] host = new float[KvHostLayout.hostLength(shape, count)];
        for (int i = 0; i < host.length; i++) host[i] = (float) (rnd.nextGaussian() * 100); // not bf16: rounding matters
        host[1] = Float.NaN;
        host[2] = Float.POSITIVE_INFINITY;
        host[3] = -0f;
        host[4] = Float.MIN_VALUE;
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var segment = arena.allocate(offset + 2L * blockElems);
            for (int index = 0; index < count; index++) {
                short[] image = new short[blockElems];
                KvHostLayout.hostToBlock(shape, host, index, count, image);
                KvHostLayout.hostToBlock(shape, host, index, count, segment, offset);
                for (int e = 0; e < blockElems; e++) {
                    short le = segment.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                            .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), offset + 2L * e);
                    org.junit.jupiter.api.Assertions.assertEquals(image[e], le, "element " + e + " of block " + index);
                }
                float[] fromArray = new float[host.length], fromSegment = new float[host.length];
                KvHostLayout.blockToHost(shape, image, index, count, fromArray);
                KvHostLayout.blockToHost(shape, segment, offset, index, count, fromSegment);
                assertArrayEquals(fromArray, fromSegment, "block " + index);
            }
        }
    }

    @Test
    void aCopyTooLargeForAJavaArrayIsAClearError() {
        var shape = new KvCacheShape(80, 8, 128, 16, 100_000);
        var e = assertThrows(IllegalArgumentException.class, () -> KvHostLayout.hostLength(shape, 20_000));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("exceeds a Java array"), e.getMessage());
    }

    /** A device block as kv_write lays it out: [layer][K|V][token][kvHead][dim], bf16. */
    private static short[] deviceImage(KvCacheShape shape, float[][][] data, int block, int blockElems) {
        int bs = shape.blockSize(), kvDim = shape.kvHeads() * shape.headDim();
        short[] image = new short[blockElems];
        for (int l = 0; l < shape.layers(); l++) {
            for (int side = 0; side < 2; side++) {
                for (int t = 0; t < bs; t++) {
                    for (int j = 0; j < kvDim; j++) {
                        image[((l * 2 + side) * bs + t) * kvDim + j] = DType.floatToBf16(data[l][side][(block * bs + t) * kvDim + j]);
                    }
                }
            }
        }
        return image;
    }
}
