package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.scheduler.InstanceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The pool over several simulated devices (independent CPU backends, one compute thread each):
 * disaggregated (prefill devices hand each request's KV to a decode device through host memory,
 * or with peer hand-offs engine to engine, the prefill device keeping the blocks until the decode
 * device copied them) and colocated. Two models' requests interleaved must give exactly what each
 * model gives alone, hand-offs or not.
 */
class MultiDeviceTest {
    private static final String[] SHAPES = {"tiny-llama", "tiny-qwen3"};
    private static final long SEED = 30;

    /** A sink that also records which device thread delivered each token. */
    static final class ThreadRecordingSink extends CollectingSink {
        final List<String> threads = new ArrayList<>();

        @Override
        public synchronized void onToken(int index, int tokenId, String delta, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
            threads.add(Thread.currentThread().getName());
            super.onToken(index, tokenId, delta, logprobs);
        }
    }

    private record Run(List<int[]> prompts, List<ThreadRecordingSink> sinks, List<Integer> modelOf, List<Integer> maxTokens) {}

    private static Run submitInterleaved(ModelPool pool, int perModel) {
        Run run = new Run(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < perModel; i++) {
            for (int m = 0; m < SHAPES.length; m++) {
                int[] prompt = Reference.prompt(400 + 10 * m + i, 4 + 3 * i);
                int max = 14 + 2 * i;
                ThreadRecordingSink sink = new ThreadRecordingSink();
                pool.submit("m" + m, prompt, Reference.greedy(max), sink);
                run.prompts.add(prompt);
                run.sinks.add(sink);
                run.modelOf.add(m);
                run.maxTokens.add(max);
            }
        }
        return run;
    }

    private static void assertSoloTokens(Run run) throws Exception {
        for (int k = 0; k < run.sinks.size(); k++) {
            ThreadRecordingSink sink = run.sinks.get(k);
            FinishReason reason = sink.await();
            int m = run.modelOf.get(k);
            int[] expected = Reference.alone(SHAPES[m], SEED + m, run.prompts.get(k), run.maxTokens.get(k));
            assertArrayEquals(expected, sink.tokens(), "request " + k + " of model m" + m);
            assertTrue(reason == FinishReason.LENGTH || reason == FinishReason.STOP, "request " + k + ": " + reason);
        }
    }

    private static ModelPool pool(DeviceLayout layout) { return pool(layout, false); }

    private static ModelPool pool(DeviceLayout layout, boolean peerHandoff) {
        ModelPool pool = new ModelPool(Reference.options().withDevices(layout).withPeerHandoff(peerHandoff));
        for (int m = 0; m < SHAPES.length; m++) pool.register(Reference.synthetic("m" + m, SHAPES[m], SEED + m));
        return pool;
    }

    @ParameterizedTest(name = "{0} devices, {1} prefill, peer hand-off {2}")
    @CsvSource({"2, 1, false", "3, 1, false", "3, 2, false", "2, 1, true", "3, 1, true", "3, 2, true"})
    void disaggregatedRequestsDecodeOnAnotherDeviceAndMatchEachModelAlone(int devices, int prefill, boolean peerHandoff)
            throws Exception {
        try (ModelPool pool = pool(DeviceLayout.disaggregated(devices, prefill), peerHandoff)) {
            assertEquals(devices, pool.deviceCount());
            Run run = submitInterleaved(pool, 4);
            assertSoloTokens(run);
            int decoded = 0;
            for (ThreadRecordingSink sink : run.sinks) {
                int first = deviceOf(sink.threads.getFirst());
                assertTrue(first < prefill, "the first token comes from a prefill device, not " + first);
                for (String t : sink.threads.subList(1, sink.threads.size())) {
                    assertTrue(deviceOf(t) >= prefill, "later tokens come from a decode device, not " + t);
                }
                if (sink.tokens().length > 1) decoded++;
            }
            assertTrue(decoded > 0, "some requests decoded, else this test proves nothing");
            HandoffStats.Summary h = pool.handoffStats();
            assertEquals(decoded, h.count(), "one hand-off per request that decoded");
            assertTrue(h.meanSeconds() > 0 && h.p50Seconds() <= h.p99Seconds() && h.p99Seconds() <= h.maxSeconds(), h.toString());
            HandoffStats.Summary copies = pool.handoffCopyStats();
            assertEquals(decoded, copies.count(), "one copy time per hand-off");
            assertTrue(copies.meanSeconds() > 0 && copies.totalSeconds() <= h.totalSeconds(),
                    "a hand-off's copy is part of it: " + copies + " within " + h);
            List<InstanceStats> stats = pool.instanceStats();
            for (InstanceStats s : stats) {
                assertEquals(s.instance() < prefill ? InstanceSpec.Role.PREFILL : InstanceSpec.Role.DECODE, s.role());
            }
            assertTrue(stats.stream().filter(s -> s.role() == InstanceSpec.Role.PREFILL).mapToDouble(InstanceStats::busySeconds).sum() > 0);
            assertTrue(stats.stream().filter(s -> s.role() == InstanceSpec.Role.DECODE).mapToDouble(InstanceStats::busySeconds).sum() > 0);
            for (int m = 0; m < SHAPES.length; m++) {
                CancellationTest.awaitIdle(pool, "m" + m);
                assertEquals(0, pool.status("m" + m).kvBlocksUsed(), "all KV released on every device");
                for (int i = 0; i < devices; i++) assertEquals(0, pool.kvBlocksUsed("m" + m, i), "device " + i);
                assertEquals(4, pool.status("m" + m).requests());
            }
        }
    }

    /**
     * The hybrid role of a disaggregated pool (aegaeon.pool.prefill-decodes-when-idle): the prefill
     * device decodes what it prefilled while nothing else is queued and hands the rest on, peer to
     * peer or through host memory; every request's tokens are still exactly its model's alone, and
     * every hand-off (some requests after tokens decoded on the prefill device) counts once.
     */
    @ParameterizedTest(name = "peer hand-off {0}")
    @CsvSource({"false", "true"})
    void prefillDeviceDecodingWhileIdleMatchesEachModelAlone(boolean peerHandoff) throws Exception {
        ModelPool pool = new ModelPool(Reference.options().withDevices(DeviceLayout.disaggregated(2, 1)).withPeerHandoff(peerHandoff)
                .withScheduler(dev.aegaeon.scheduler.SchedulerConfig.defaults().withPrefillDecodesWhenIdle(true)));
        for (int m = 0; m < SHAPES.length; m++) pool.register(Reference.synthetic("m" + m, SHAPES[m], SEED + m));
        try (pool) {
            Run run = submitInterleaved(pool, 4);
            assertSoloTokens(run);
            int onPrefillDevice = 0, handedOn = 0;
            for (ThreadRecordingSink sink : run.sinks) {
                assertEquals(0, deviceOf(sink.threads.getFirst()), "the first token comes from the prefill device");
                List<String> later = sink.threads.subList(1, sink.threads.size());
                if (later.stream().anyMatch(t -> deviceOf(t) == 0)) onPrefillDevice++;
                if (later.stream().anyMatch(t -> deviceOf(t) == 1)) handedOn++;
                for (int i = 1; i < later.size(); i++) {
                    assertTrue(deviceOf(later.get(i - 1)) <= deviceOf(later.get(i)), "never back to the prefill device: " + later);
                }
            }
            assertTrue(onPrefillDevice > 0, "the last group prefilled finds nothing queued and decodes where it is");
            assertEquals(handedOn, pool.handoffStats().count(), "one hand-off per request decoded on the decode device");
            for (int m = 0; m < SHAPES.length; m++) {
                CancellationTest.awaitIdle(pool, "m" + m);
                for (int i = 0; i < 2; i++) assertEquals(0, pool.kvBlocksUsed("m" + m, i), "all KV released on device " + i);
            }
        }
    }

    @Test
    void colocatedAcrossTwoDevicesMatchesEachModelAloneWithoutHandOffs() throws Exception {
        try (ModelPool pool = pool(DeviceLayout.colocated(2))) {
            Run run = submitInterleaved(pool, 4);
            assertSoloTokens(run);
            for (ThreadRecordingSink sink : run.sinks) {
                assertEquals(1, sink.threads.stream().distinct().count(), "a colocated request stays on its device: " + sink.threads);
            }
            assertEquals(0, pool.handoffStats().count());
            for (InstanceStats s : pool.instanceStats()) assertEquals(InstanceSpec.Role.COLOCATED, s.role());
            for (int m = 0; m < SHAPES.length; m++) {
                CancellationTest.awaitIdle(pool, "m" + m);
                assertEquals(0, pool.status("m" + m).kvBlocksUsed());
            }
        }
    }

    /**
     * Hybrid: device 0 only prefills; device 1 decodes what it hands off and may prefill too (the
     * planner sends a group there when the prefill device's queue and switch outweigh device 1's
     * decode round, which this small burst does not reach). Every request decodes on device 1 with
     * each model's exact tokens; the roles are as laid out.
     */
    @Test
    void hybridRequestsDecodeOnTheColocatedDeviceAndMatchEachModelAlone() throws Exception {
        try (ModelPool pool = pool(DeviceLayout.hybrid(2, 1))) {
            Run run = submitInterleaved(pool, 4);
            assertSoloTokens(run);
            int handedOff = 0;
            for (ThreadRecordingSink sink : run.sinks) {
                for (String t : sink.threads.subList(1, sink.threads.size())) {
                    assertEquals(1, deviceOf(t), "tokens after the first come from the device that decodes: " + sink.threads);
                }
                // Prefilled on device 0 and decoded: handed off (one that ended at its first token has nothing to hand off).
                if (deviceOf(sink.threads.getFirst()) == 0 && sink.tokens().length > 1) handedOff++;
            }
            assertTrue(handedOff > 0, "the prefill device prefilled some requests: " + pool.instanceStats());
            assertEquals(handedOff, pool.handoffStats().count(), "a request prefilled on device 0 was handed off to device 1");
            List<InstanceStats> stats = pool.instanceStats();
            assertEquals(InstanceSpec.Role.PREFILL, stats.get(0).role());
            assertEquals(InstanceSpec.Role.COLOCATED, stats.get(1).role());
            assertTrue(stats.get(1).busySeconds() > 0);
            for (int m = 0; m < SHAPES.length; m++) {
                CancellationTest.awaitIdle(pool, "m" + m);
                for (int i = 0; i < 2; i++) assertEquals(0, pool.kvBlocksUsed("m" + m, i), "device " + i);
            }
        }
    }

    /** With peer hand-offs the cancelled request's KV is detached on the prefill device, not in host memory. */
    @ParameterizedTest(name = "peer hand-off {0}")
    @CsvSource({"false", "true"})
    void aRequestCancelledWhileItsKvIsSwappedOutFreesEverything(boolean peerHandoff) throws Exception {
        try (ModelPool pool = pool(DeviceLayout.disaggregated(2, 1), peerHandoff)) {
            // A holds the decode device: its sink blocks the decode device's thread at its 4th token.
            CountDownLatch atFourth = new CountDownLatch(1), release = new CountDownLatch(1);
            int[] promptA = Reference.prompt(501, 7);
            CollectingSink a = new CollectingSink() {
                @Override
                public void onToken(int index, int tokenId, String delta, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
                    super.onToken(index, tokenId, delta, logprobs);
                    if (index == 3) {
                        atFourth.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            pool.submit("m0", promptA, Reference.greedy(24), a);
            assertTrue(atFourth.await(60, TimeUnit.SECONDS), "A decodes on the decode device");
            long swapsBefore = pool.kvSwaps();
            // B prefills on the prefill device and is swapped out to host memory; its swap-in waits for the decode device.
            CollectingSink b = new CollectingSink();
            RequestHandle hb = pool.submit("m0", Reference.prompt(502, 9), Reference.greedy(200), b);
            for (int i = 0; i < 3000 && pool.kvSwaps() <= swapsBefore; i++) Thread.sleep(10);
            assertTrue(pool.kvSwaps() > swapsBefore, "B's KV left the prefill device");
            if (peerHandoff) assertTrue(pool.kvBlocksUsed("m0", 0) > 0, "B's detached KV stays reserved on the prefill device");
            hb.cancel();
            assertEquals(FinishReason.CANCELLED, b.await());
            assertEquals(1, b.tokens().length, "B never decoded");
            release.countDown();
            a.await();
            assertArrayEquals(Reference.alone(SHAPES[0], SEED, promptA, 24), a.tokens());
            CancellationTest.awaitIdle(pool, "m0");
            ModelStatus s = pool.status("m0");
            assertEquals(0, s.kvBlocksUsed(), "no KV left on any device");
            assertEquals(0, pool.kvBlocksUsed("m0", 0), "the prefill device's blocks are back");
            assertEquals(0, s.running() + s.waiting());
            assertEquals(1, pool.handoffStats().count(), "only A was handed off");
            // The pool still serves: a new request runs through both devices.
            CollectingSink c = new CollectingSink();
            int[] promptC = Reference.prompt(503, 5);
            pool.submit("m1", promptC, Reference.greedy(10), c);
            c.await();
            assertArrayEquals(Reference.alone(SHAPES[1], SEED + 1, promptC, 10), c.tokens());
        }
    }

    @Test
    void layoutsThatCannotWorkAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> DeviceLayout.disaggregated(1, 1));
        var none = assertThrows(IllegalArgumentException.class, () -> DeviceLayout.disaggregated(2, 2));
        assertTrue(none.getMessage().contains("none to decode"), none.getMessage());
        // "All" CPU devices is one device: too few to disaggregate.
        var few = assertThrows(IllegalArgumentException.class,
                () -> new ModelPool(Reference.options().withDevices(DeviceLayout.disaggregated(0, 1))));
        assertTrue(few.getMessage().contains("at least 2"), few.getMessage());
        assertEquals(DeviceLayout.Mode.DISAGGREGATED, DeviceLayout.Mode.parse(" Disaggregated"));
        assertEquals(DeviceLayout.Mode.HYBRID, DeviceLayout.Mode.parse("hybrid"));
        var hybridAlone = assertThrows(IllegalArgumentException.class, () -> DeviceLayout.hybrid(2, 2));
        assertTrue(hybridAlone.getMessage().startsWith("hybrid mode with 2 devices leaves none to decode"), hybridAlone.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceLayout.Mode.parse("split"));
    }

    private static int deviceOf(String threadName) {
        String prefix = "aegaeon-compute-";
        assertTrue(threadName.startsWith(prefix), "tokens come from a device's compute thread, not " + threadName);
        return Integer.parseInt(threadName.substring(prefix.length()));
    }
}
