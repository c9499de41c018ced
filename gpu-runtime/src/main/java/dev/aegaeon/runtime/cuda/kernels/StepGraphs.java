package dev.aegaeon.runtime.cuda.kernels;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jcuda.driver.JCudaDriver.*;

/**
 * Replays a step's kernel launches as one CUDA graph. While a step records, launches on the
 * recorded stream are only remembered (no JNI call); {@link #flush} then either launches the
 * instantiated graph of an identical earlier sequence (same kernels, grids and argument values,
 * device pointers by address) with a single {@code cuGraphLaunch}, or issues the launches one by
 * one. A sequence is captured into a graph the second time it is seen, so one-off shapes never pay
 * for capture and instantiation.
 *
 * <p>Invariant: every launch recorded since {@link #begin} reaches the stream, in order, before any
 * other work is queued on it -- whoever queues other work on the recorded stream, synchronises it
 * or reads what the kernels write calls {@link #flush} first. The step's inputs must already be in
 * device memory at fixed addresses (their upload precedes {@link #begin}), which is why equal
 * launch sequences compute the same function of the current buffer contents. Calls from several
 * threads are serialised, so launches keep the order in which they were made, as on the stream.
 */
public final class StepGraphs {
    /**
     * One kernel launch, kept until the step is flushed. A launch with an {@code issuer} is work
     * that a library enqueues (a cuBLASLt product): {@code fn} is then a marker of that kind of
     * work and {@code args} what makes two of them equal, and issuing it runs {@code issuer},
     * which must enqueue on {@code stream} only (so stream capture takes it into the graph).
     */
    record Launch(CUfunction fn, int gx, int gy, int gz, int block, int smem, CUstream stream, Object[] args, Runnable issuer) {
        Launch(CUfunction fn, int gx, int gy, int gz, int block, int smem, CUstream stream, Object[] args) {
            this(fn, gx, gy, gz, block, smem, stream, args, null);
        }
    }

    private final int capacity;
    private final java.util.function.UnaryOperator<List<Launch>> fuser;
    private final Map<CUfunction, Integer> functionIds = new IdentityHashMap<>();
    private final LinkedHashMap<Key, CUgraphExec> graphs;
    private final LinkedHashMap<Key, Boolean> seenOnce;
    private final List<Launch> pending = new ArrayList<>();
    private CUstream recording; // null when not recording
    private long replays, captures, direct;

    /**
     * @param capacity instantiated graphs kept (least recently used destroyed first); 0 disables graphs
     * @param fuser rewrites a step's launches into fewer that compute the same (applied at flush)
     */
    StepGraphs(int capacity, java.util.function.UnaryOperator<List<Launch>> fuser) {
        this.capacity = capacity;
        this.fuser = fuser;
        this.graphs = new LinkedHashMap<>(16, 0.75f, true);
        this.seenOnce = new LinkedHashMap<>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<Key, Boolean> e) { return size() > 4 * Math.max(1, capacity); }
        };
    }

    boolean enabled() { return capacity > 0; }

    /** Starts remembering launches on {@code stream} (flushing anything still remembered). */
    public synchronized void begin(CUstream stream) {
        flush();
        if (enabled()) recording = stream;
    }

    /** Whether launches on {@code stream} are being remembered (work enqueued directly would overtake them). */
    synchronized boolean recording(CUstream stream) { return recording != null && recording == stream; }

    /** Remembers {@code l} if its stream is recording; false if the caller must issue it now. */
    synchronized boolean offer(Launch l) {
        if (recording == null || recording != l.stream()) return false;
        pending.add(l);
        return true;
    }

    /** Issues what the step remembered (as a graph when the same sequence ran before) and stops recording. */
    public void flush() { flush(true); }

    /**
     * Flushes, then runs {@code queue} (which queues work on the recorded stream, e.g. an event
     * record) while no other thread can flush: a graph capture of another thread's step could
     * otherwise swallow that work.
     */
    public synchronized void flushThen(Runnable queue) {
        flush();
        queue.run();
    }

    /** As {@link #flush()}, but never as a graph (the step was cut short, e.g. by a weight still loading). */
    public void flushDirect() { flush(false); }

    private synchronized void flush(boolean allowGraph) {
        CUstream s = recording;
        recording = null;
        if (pending.isEmpty()) return;
        List<Launch> launches = fuser.apply(List.copyOf(pending));
        pending.clear();
        if (!allowGraph) { launchAll(launches); return; }
        Key key = keyOf(launches);
        CUgraphExec exec = graphs.get(key);
        if (exec == null && seenOnce.remove(key) != null) exec = capture(key, launches, s);
        if (exec != null) {
            cuGraphLaunch(exec, s);
            replays++;
        } else {
            seenOnce.put(key, Boolean.TRUE);
            launchAll(launches);
        }
    }

    private void launchAll(List<Launch> launches) {
        for (Launch l : launches) issue(l);
        direct++;
    }

    private CUgraphExec capture(Key key, List<Launch> launches, CUstream s) {
        CUgraph graph = new CUgraph();
        cuStreamBeginCapture(s, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        try {
            for (Launch l : launches) issue(l);
        } finally {
            cuStreamEndCapture(s, graph);
        }
        CUgraphExec exec = new CUgraphExec();
        cuGraphInstantiate(exec, graph, 0);
        cuGraphDestroy(graph);
        if (graphs.size() >= capacity) {
            var eldest = graphs.entrySet().iterator().next();
            cuStreamSynchronize(s); // the evicted graph may still run
            cuGraphExecDestroy(eldest.getValue());
            graphs.remove(eldest.getKey());
        }
        graphs.put(key, exec);
        captures++;
        return exec;
    }

    /** Destroys every instantiated graph (after the stream that ran them is idle). */
    public synchronized void clear(CUstream s) {
        flush();
        cuStreamSynchronize(s);
        for (CUgraphExec e : graphs.values()) cuGraphExecDestroy(e);
        graphs.clear();
        seenOnce.clear();
    }

    /** Steps replayed as a graph, graphs captured, steps issued launch by launch. */
    public synchronized long[] counters() { return new long[] {replays, captures, direct}; }

    static void issue(Launch l) {
        if (l.issuer != null) {
            l.issuer.run();
            return;
        }
        NativePointerObject[] ps = new NativePointerObject[l.args.length];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = switch (l.args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + l.args[i]);
            };
        }
        cuLaunchKernel(l.fn, l.gx, l.gy, l.gz, l.block, 1, 1, l.smem, l.stream, Pointer.to(ps), null);
    }

    private Key keyOf(List<Launch> launches) {
        long[] k = new long[64];
        int n = 0;
        for (Launch l : launches) {
            int need = n + 8 + 2 * l.args.length;
            if (need > k.length) k = Arrays.copyOf(k, Math.max(need, 2 * k.length));
            k[n++] = functionIds.computeIfAbsent(l.fn, f -> functionIds.size());
            k[n++] = l.gx;
            k[n++] = l.gy;
            k[n++] = l.gz;
            k[n++] = l.block;
            k[n++] = l.smem;
            k[n++] = System.identityHashCode(l.stream);
            k[n++] = l.args.length;
            for (Object a : l.args) {
                switch (a) {
                    case CUdeviceptr p -> { k[n++] = 1; k[n++] = address(p); }
                    case Integer v -> { k[n++] = 2; k[n++] = v; }
                    case Long v -> { k[n++] = 3; k[n++] = v; }
                    case Float v -> { k[n++] = 4; k[n++] = Float.floatToRawIntBits(v); }
                    default -> throw new IllegalArgumentException("unsupported kernel argument " + a);
                }
            }
        }
        return new Key(Arrays.copyOf(k, n));
    }

    /** The device address a pointer argument passes to a kernel. */
    static long address(CUdeviceptr p) {
        return dev.aegaeon.runtime.cuda.blas.DevicePointers.address(p);
    }

    private record Key(long[] words) {
        @Override public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(words, k.words); }
        @Override public int hashCode() { return Arrays.hashCode(words); }
    }
}
