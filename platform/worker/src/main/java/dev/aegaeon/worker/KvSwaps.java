package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.KvReservation;
import dev.aegaeon.runtime.engine.KvSwap;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.worker.timeline.SpanKind;
import dev.aegaeon.worker.timeline.TimelineRecorder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The KV moves of {@link EngineExecutor}: swap-outs and swap-ins of the scheduler's decisions, on
 * the compute thread of the decision's device. A swap-out copies the KV to host memory, or, with
 * peer hand-offs on and on a prefill-only device, only detaches it (the blocks stay reserved there
 * and the adopting device copies them device to device); past the host budget for swapped KV it
 * drops the KV for recompute. A swap-in adopts the KV on the decision's device, which may be
 * another than the one it left (the disaggregated hand-off). A request whose move fails ends with
 * an error and its KV released; the caller reports the decision done either way.
 */
final class KvSwaps {
    private final Map<Long, LiveRequest> requests;
    private final List<DeviceInstance> devices;
    private final MeasuredCostModel cost;
    private final HandoffStats handoffs;
    private final TimelineRecorder timeline;
    /** Swap-outs on prefill-only devices detach the KV instead of copying it to host memory. */
    private final boolean peerHandoff;
    /**
     * Host memory the KV swapped out of all devices may take; a swap-out past it drops the KV for
     * recompute. Checked per decision against what is held then, so two devices swapping out at the
     * same moment may pass it by one decision's bytes.
     */
    private final long swapHostBudget;
    private final AtomicLong swapOuts = new AtomicLong(), recomputes = new AtomicLong();
    private final LongAdder nanosSpent = new LongAdder();

    KvSwaps(Map<Long, LiveRequest> requests, List<DeviceInstance> devices, MeasuredCostModel cost, HandoffStats handoffs,
            TimelineRecorder timeline, boolean peerHandoff, long kvSwapBytesPerDevice) {
        this.requests = requests;
        this.devices = devices;
        this.cost = cost;
        this.handoffs = handoffs;
        this.timeline = timeline;
        this.peerHandoff = peerHandoff;
        this.swapHostBudget = ModelSizes.saturatedSum(0, devices.size(), kvSwapBytesPerDevice);
    }

    /** Sequences swapped out (to host memory, or detached for a peer hand-off), ever. */
    long swapOuts() { return swapOuts.get(); }

    /** Swap-outs that dropped the KV for recompute because the host budget for swapped KV was spent. */
    long recomputes() { return recomputes.get(); }

    /** Seconds the compute threads spent swapping KV out and in. */
    double seconds() { return nanosSpent.sum() / 1e9; }

    /** Host bytes held now by KV swapped out of the devices. */
    long swappedHostBytes() {
        long held = 0;
        for (LiveRequest r : requests.values()) if (r.swapped instanceof KvSwap.Host h) held += h.bytes();
        return held;
    }

    /** Swaps the decision's requests out of its device: to host memory, detached for a peer, or dropped for recompute. */
    void out(Decision.SwapOut d) {
        long t0 = System.nanoTime(), bytes = 0;
        boolean detach = peerHandoff && devices.get(d.instance()).spec.role() == InstanceSpec.Role.PREFILL;
        long held = detach ? 0 : swappedHostBytes();
        for (long id : d.requests()) {
            LiveRequest r = requests.get(id);
            if (r == null || r.done || r.sequence == null) continue;
            try {
                long r0 = System.nanoTime();
                if (!detach && held + r.engine.hostSwapBytes(r.sequence) > swapHostBudget) {
                    r.swapped = r.engine.dropForRecompute(r.sequence);
                    recomputes.incrementAndGet();
                } else {
                    r.swapped = detach ? r.engine.detach(r.sequence) : r.engine.swapOut(r.sequence);
                    held += r.swapped.bytes();
                }
                if (r.prefillDoneNanos != 0) r.handoffCopyNanos += System.nanoTime() - r0;
                swapOuts.incrementAndGet();
                // A detach moves nothing: its bytes in no time would teach the cost model an absurd swap
                // rate; the adopting device's copy is timed with them instead.
                if (!detach) bytes += r.swapped.bytes();
                r.model.noteKv(r.engine);
            } catch (RuntimeException e) {
                r.fail("swapping out the KV cache failed: " + e.getMessage(), e);
            }
        }
        long nanos = System.nanoTime() - t0;
        nanosSpent.add(nanos);
        cost.recordSwap(bytes, nanos / 1e9);
        recordSwap(d.instance(), SpanKind.SWAP_OUT, d.requests(), t0, t0 + nanos, bytes);
    }

    /**
     * Swaps KV back in on the decision's device. A request whose KV left another device (the
     * disaggregated hand-off) is adopted by this device's engine of its model; the first such
     * adoption after a prefill-only device is a hand-off, timed from the end of that prefill.
     */
    void in(Decision.SwapIn d) {
        long t0 = System.nanoTime(), bytes = 0;
        boolean recomputed = false;
        for (long id : d.requests()) {
            LiveRequest r = requests.get(id);
            if (r == null || r.done || r.swapped == null) continue;
            try {
                bytes += r.swapped.bytes();
                recomputed |= r.swapped instanceof KvSwap.Recompute;
                InferenceEngine source = r.engine;
                InferenceEngine target = r.instance == d.instance() ? source : r.model.engineForCompute(d.instance());
                long r0 = System.nanoTime();
                KvReservation adopted = target.adopt(r.sequence, r.swapped);
                if (r.prefillDoneNanos != 0) r.handoffCopyNanos += System.nanoTime() - r0;
                if (adopted instanceof KvReservation.NoRoom(int needed, int free)) {
                    // fail releases the KV: a detached one is discarded on its source, nothing leaks
                    r.fail("no KV blocks to swap back in (" + needed + " needed, " + free + " free)", null);
                } else {
                    r.swapped = null;
                    r.engine = target;
                    r.instance = d.instance();
                    r.model.noteKv(target);
                    if (source != target) r.model.noteKv(source); // a detached KV's blocks are free there now
                    if (r.prefillDoneNanos != 0) {  // the first adoption after its prefill: the hand-off
                        handoffs.record((System.nanoTime() - r.prefillDoneNanos) / 1e9, r.handoffCopyNanos / 1e9);
                        r.prefillDoneNanos = 0;
                    }
                }
            } catch (RuntimeException e) {
                r.fail("swapping in the KV cache failed: " + e.getMessage(), e);
            }
        }
        long nanos = System.nanoTime() - t0;
        nanosSpent.add(nanos);
        if (!recomputed) cost.recordSwap(bytes, nanos / 1e9); // a prefill's time is no copy rate
        recordSwap(d.instance(), SpanKind.SWAP_IN, d.requests(), t0, t0 + nanos, bytes);
    }

    /** A swap's span, named after the model of its first request still known (a swap moves one model's requests). */
    private void recordSwap(int instance, SpanKind kind, List<Long> ids, long t0, long t1, long bytes) {
        String model = "?";
        for (long id : ids) {
            LiveRequest r = requests.get(id);
            if (r != null) {
                model = r.model.name();
                break;
            }
        }
        timeline.record(instance, kind, model, t0, t1, 0, bytes);
    }
}
