package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.KvSwap;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.engine.Sequence;
import java.util.function.LongConsumer;

/**
 * One accepted request inside the worker. The immutable part is set at submission; the engine
 * state ({@link #sequence}, {@link #swapped}, {@link #tokens}, {@link #done}) is touched only by
 * the executor's compute thread; {@link #cancelRequested} and {@link #prefilled} are read anywhere.
 */
final class LiveRequest implements RequestHandle {
    private static final System.Logger LOG = System.getLogger(LiveRequest.class.getName());

    final long id;
    final ModelRuntime model;
    final int[] prompt;
    final SamplingParams params;
    final TokenSink sink;
    final TextStream text;
    private final LongConsumer canceller;

    volatile boolean cancelRequested;
    volatile boolean prefilled;

    InferenceEngine engine;
    /** The device whose engine owns {@link #sequence} (-1 before prefill); read by the scheduler's thread to route finalisation. */
    volatile int instance = -1;
    /** When a prefill-only device finished this request's prefill (System.nanoTime), until its hand-off; 0 otherwise. */
    long prefillDoneNanos;
    /** Nanoseconds spent moving this request's KV during its hand-off so far (swap-out or detach, then adoption). */
    long handoffCopyNanos;
    Sequence sequence;
    KvSwap swapped;
    int tokens;
    /** The sink got its terminal call and the KV is released (the scheduler may not know yet). */
    boolean done;

    LiveRequest(long id, ModelRuntime model, int[] prompt, SamplingParams params, TokenSink sink, TextStream text,
                LongConsumer canceller) {
        this.id = id;
        this.model = model;
        this.prompt = prompt;
        this.params = params;
        this.sink = sink;
        this.text = text;
        this.canceller = canceller;
    }

    @Override
    public long id() { return id; }

    @Override
    public void cancel() {
        if (cancelRequested) return;
        cancelRequested = true;
        canceller.accept(id);
    }

    /** Ends the request normally (or cancelled): KV released first, then the sink's terminal call; once only. */
    void complete(FinishReason reason) {
        if (done) return;
        done = true;
        releaseKv();
        try {
            sink.onComplete(reason, prompt.length, tokens);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "token sink of request " + id + " failed", e);
        }
    }

    /** Ends the request with an error: KV released first, then the sink's terminal call; once only. */
    void fail(String message, Throwable cause) {
        if (done) return;
        done = true;
        releaseKv();
        try {
            sink.onError(message, cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "token sink of request " + id + " failed", e);
        }
    }

    /** Frees whatever KV the request holds: on the device, in host memory, or detached on a prefill device. */
    void releaseKv() {
        if (sequence != null && !sequence.isFinished()) engine.cancel(sequence);
        if (swapped != null) swapped.discard();
        swapped = null;
    }
}
