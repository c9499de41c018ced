package dev.aegaeon.gpubench.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory-bandwidth floor: a plain multi-threaded streaming read (a vector sum) over given
 * segments, so a decode step can be compared with simply reading the same bytes once.
 */
final class MemoryBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final long CHUNK = 1 << 20;

    private MemoryBandwidth() {}

    /** Streams the same bytes over and over; {@link #passSeconds()} times one full pass. */
    static final class Reader implements AutoCloseable {
        private final List<MemorySegment> chunks = new ArrayList<>();
        private final ForkJoinPool pool;
        private final long bytes;
        private long sink;

        Reader(List<MemorySegment> segments, int threads) {
            long total = 0;
            for (MemorySegment s : segments) {
                for (long o = 0; o < s.byteSize(); o += CHUNK) chunks.add(s.asSlice(o, Math.min(CHUNK, s.byteSize() - o)));
                total += s.byteSize();
            }
            this.bytes = total;
            this.pool = new ForkJoinPool(threads);
        }

        long bytes() { return bytes; }

        double passSeconds() {
            long t0 = System.nanoTime();
            sink += pool.submit(() -> chunks.parallelStream().mapToLong(MemoryBandwidth::sum).sum()).join();
            return (System.nanoTime() - t0) / 1e9;
        }

        @Override
        public void close() {
            pool.shutdown();
            if (sink == 42) System.out.print(""); // keeps the sums observable
        }
    }

    private static long sum(MemorySegment s) {
        LongVector acc = LongVector.zero(L);
        long step = L.vectorByteSize(), o = 0;
        for (long bound = s.byteSize() - step; o <= bound; o += step) {
            acc = acc.add(LongVector.fromMemorySegment(L, s, o, ByteOrder.LITTLE_ENDIAN));
        }
        long total = acc.reduceLanes(VectorOperators.ADD);
        for (; o < s.byteSize(); o++) total += s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o);
        return total;
    }
}
