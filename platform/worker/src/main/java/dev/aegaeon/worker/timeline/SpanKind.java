package dev.aegaeon.worker.timeline;

/** What a device spent a span of time on. LOAD runs on the device's copy lane; the rest on its compute lane. */
public enum SpanKind { PREFILL, DECODE, LOAD, SWAP_OUT, SWAP_IN }
