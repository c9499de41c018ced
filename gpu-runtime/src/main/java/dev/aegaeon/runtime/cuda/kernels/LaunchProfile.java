package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.CudaDevice;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jcuda.driver.JCudaDriver.*;

/**
 * Device time per kernel, for the bench's breakdown of a step: an event pair around every launch
 * issued directly (not for graph replays). The events serialise nothing but add a little host time
 * per launch, so the sum is a breakdown, not a step time.
 */
final class LaunchProfile {
    private record Span(String kernel, CUevent start, CUevent end) {}

    private final Map<CUfunction, String> names;
    private final List<Span> spans = new ArrayList<>();

    LaunchProfile(Map<CUfunction, String> names) { this.names = names; }

    void before(CUfunction f, CUstream s) { before(names.getOrDefault(f, "?"), s); }

    /** A span of work that is not one of our kernels (a library call), under {@code name}. */
    void before(String name, CUstream s) {
        CUevent a = CudaDevice.newTimingEvent(), b = CudaDevice.newTimingEvent();
        cuEventRecord(a, s);
        spans.add(new Span(name, a, b));
    }

    void after(CUstream s) { cuEventRecord(spans.getLast().end(), s); }

    /** Milliseconds per kernel name, summed over launches (waits for the events; destroys them). */
    Map<String, Double> totalsMs() {
        Map<String, Double> t = new LinkedHashMap<>();
        float[] ms = new float[1];
        for (Span sp : spans) {
            cuEventSynchronize(sp.end());
            cuEventElapsedTime(ms, sp.start(), sp.end());
            t.merge(sp.kernel(), (double) ms[0], Double::sum);
            cuEventDestroy(sp.start());
            cuEventDestroy(sp.end());
        }
        spans.clear();
        return t;
    }
}
