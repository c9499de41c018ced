package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.weights.WeightNames;
import dev.aegaeon.runtime.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Functions of one synthetic image share it in host memory but stay distinct models: each is
 * loaded, switched and counted on its own, and one leaving does not pull the image from the other.
 * (On the CPU backend the device weights wrap the host image, so a prematurely closed image fails
 * the survivor's steps: the refcount is what these tests exercise.)
 */
class SharedHostImageTest {
    private static final String SHAPE = "tiny-llama";

    @Test
    void leasesOfOneSourceShareOneImageUntilTheLastCloses() {
        HostImages images = new HostImages();
        var config = SyntheticShapes.config(SHAPE);
        WeightOrigin source = new WeightOrigin.Synthetic(SHAPE, 4);
        WeightSource a = images.acquire(source, config), b = images.acquire(new WeightOrigin.Synthetic(SHAPE, 4), config);
        WeightSource other = images.acquire(new WeightOrigin.Synthetic(SHAPE, 5), config);
        assertEquals(2, images.openImages());
        assertSame(a.tensor(WeightNames.EMBED).data(), b.tensor(WeightNames.EMBED).data(), "one image, not a copy");
        assertNotSame(a.tensor(WeightNames.EMBED).data(), other.tensor(WeightNames.EMBED).data());
        a.close();
        a.close(); // a second close of the same lease must not release b's
        assertEquals(2, images.openImages());
        assertEquals(a.identity(), b.identity());
        b.tensor(WeightNames.EMBED).data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0); // still readable
        b.close();
        assertEquals(1, images.openImages());
        WeightSource reopened = images.acquire(source, config);
        assertEquals(2, images.openImages());
        reopened.close();
        other.close();
        assertEquals(0, images.openImages());
    }

    @Test
    void aSourceThatCannotOpenTakesNoLease() {
        HostImages images = new HostImages();
        var missing = new WeightOrigin.HfDirectory(java.nio.file.Path.of("/nonexistent/model"));
        assertThrows(RuntimeException.class, () -> images.acquire(missing, SyntheticShapes.config(SHAPE)));
        assertEquals(0, images.openImages());
    }

    @Test
    void twoFunctionsOfOneImageInterleaveAsDistinctModels() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("a", SHAPE, 21));
            pool.register(Reference.synthetic("b", SHAPE, 21));
            pool.register(Reference.synthetic("c", SHAPE, 22));
            List<String> names = List.of("a", "b", "c");
            List<int[]> prompts = new ArrayList<>();
            List<CollectingSink> sinks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                for (String n : names) {
                    int[] prompt = Reference.prompt(31 * i + n.charAt(0), 4 + 2 * i);
                    CollectingSink sink = new CollectingSink();
                    pool.submit(n, prompt, Reference.greedy(10), sink);
                    prompts.add(prompt);
                    sinks.add(sink);
                }
            }
            for (int k = 0; k < sinks.size(); k++) {
                sinks.get(k).await();
                long seed = names.get(k % 3).equals("c") ? 22 : 21;
                assertArrayEquals(Reference.alone(SHAPE, seed, prompts.get(k), 10), sinks.get(k).tokens(), "request " + k);
            }
            for (String n : names) CancellationTest.awaitIdle(pool, n);
            assertEquals(2, pool.openHostImages(), "a and b share one image; c has its own");
            for (String n : names) {
                assertEquals(3, pool.status(n).requests(), n);
                assertTrue(pool.status(n).switches() >= 1, n + " was loaded onto the device itself");
            }

            pool.unregister("a");
            assertEquals(2, pool.openHostImages(), "b still leases the shared image");
            int[] prompt = Reference.prompt(99, 7);
            CollectingSink after = new CollectingSink();
            pool.submit("b", prompt, Reference.greedy(10), after);
            after.await();
            assertArrayEquals(Reference.alone(SHAPE, 21, prompt, 10), after.tokens(), "b works after a left");

            CancellationTest.awaitIdle(pool, "b");
            pool.unregister("b");
            assertEquals(1, pool.openHostImages(), "the last user gone, the image closes");
        }
    }
}
