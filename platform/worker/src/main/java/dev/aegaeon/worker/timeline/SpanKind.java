package dev.aegaeon.worker.timeline;

/**
 * What a device spent a span of time on. LOAD and FREE (an evicted model's memory given back) run on
 * the device's copy lane; the rest on its compute lane.
 */
public enum SpanKind {
    PREFILL, DECODE, LOAD, SWAP_OUT, SWAP_IN, FREE;

    /** True for the work of the device's copy thread. */
    public boolean onCopyLane() { return this == LOAD || this == FREE; }
}
