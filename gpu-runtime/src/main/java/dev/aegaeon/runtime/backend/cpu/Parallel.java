package dev.aegaeon.runtime.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/** Splits index ranges over a fixed pool sized to the machine's cores. */
final class Parallel implements AutoCloseable {

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() { return threads; }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices. */
    void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min((n + grain - 1) / grain, threads * 4);
        if (pool == null || chunks <= 1) {
            body.run(0, n);
            return;
        }
        int chunk = (n + chunks - 1) / chunks;
        pool.invoke(new Split(0, n, chunk, body));
    }

    private static final class Split extends RecursiveAction {
        private final int from, to, chunk;
        private final RangeBody body;

        Split(int from, int to, int chunk, RangeBody body) {
            this.from = from;
            this.to = to;
            this.chunk = chunk;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= chunk) {
                body.run(from, to);
                return;
            }
            int mid = from + ((to - from) / chunk / 2) * chunk;
            if (mid == from) mid = from + chunk;
            invokeAll(new Split(from, mid, chunk, body), new Split(mid, to, chunk, body));
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
