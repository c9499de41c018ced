package dev.aegaeon.platform.invoke;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.EncodedPrompt;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.worker.RequestHandle;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.platform.engine.TokenListener;
import dev.aegaeon.platform.engine.Usage;

/**
 * One accepted invocation: queued in its function's gate, then running at the backend. It relays
 * the backend's callbacks to the front door's observer, measures TTFT, inter-token latency and the
 * SLO score, and guarantees the observer exactly one terminal call even when cancellation, the
 * deadline and the backend's own end race.
 */
public final class Invocation implements TokenListener {
    private final InvocationService service;
    final FunctionGate gate;
    private final String id;
    private final String function;
    final EncodedPrompt prompt;
    final SamplingParams params;
    private final InvocationObserver observer;
    private final long arrivalNanos;
    private final Duration timeout;
    private final SloClock slo;
    private final AtomicBoolean terminated = new AtomicBoolean();
    private volatile RequestHandle generation;
    private volatile boolean cancelRequested;
    private volatile ScheduledFuture<?> deadlineTimer;
    private volatile long submittedNanos;
    private long lastTokenNanos;

    Invocation(InvocationService service, FunctionGate gate, String id, EncodedPrompt prompt, SamplingParams params,
            InvocationObserver observer, long arrivalNanos, Duration timeout) {
        this.service = service;
        this.gate = gate;
        this.id = id;
        this.function = gate.spec.name();
        this.prompt = prompt;
        this.params = params;
        this.observer = observer;
        this.arrivalNanos = arrivalNanos;
        this.timeout = timeout;
        this.slo = new SloClock(gate.spec.slo(), arrivalNanos);
    }

    public String id() {
        return id;
    }

    public String function() {
        return function;
    }

    public int promptTokens() {
        return prompt.length();
    }

    /** When the backend accepted it ({@link System#nanoTime()}), 0 while still queued. */
    public long submittedNanos() {
        return submittedNanos;
    }

    /**
     * The caller went away or gave up: frees the queue slot or the backend's KV blocks at once.
     * Idempotent; the observer gets {@code onComplete(CANCELLED)} unless it already ended.
     */
    public void cancel() {
        cancelRequested = true;
        if (gate.withdraw(this, service.globalQueue())) {
            terminate(() -> observer.onComplete(FinishReason.CANCELLED, new Usage(prompt.length(), 0)), false);
            return;
        }
        RequestHandle g = generation;
        if (g != null) g.cancel();
    }

    /** Ends a queued invocation that will never run (its function was removed). */
    void endUnrun() {
        terminate(() -> observer.onComplete(FinishReason.CANCELLED, new Usage(prompt.length(), 0)), false);
    }

    void armDeadline() {
        deadlineTimer = service.timer().schedule(this::expire, timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private void expire() {
        if (terminated.get()) return;
        if (gate.withdraw(this, service.globalQueue())) {
            terminate(() -> observer.onError(InvocationError.timeout(timeout)), false);
            return;
        }
        // Report the timeout now; the backend's CANCELLED callback that follows is swallowed.
        terminate(() -> observer.onError(InvocationError.timeout(timeout)), false);
        RequestHandle g = generation;
        if (g != null) g.cancel();
    }

    /** Called with the gate slot held: hands the invocation to the backend. */
    void submit() {
        if (cancelRequested) {
            // Cancelled between leaving the queue and reaching the backend.
            terminate(() -> observer.onComplete(FinishReason.CANCELLED, new Usage(prompt.length(), 0)), true);
            return;
        }
        try {
            submittedNanos = System.nanoTime();
            generation = service.backend().submit(function, prompt, params, this);
            service.metrics().admissionOverhead(function, submittedNanos - arrivalNanos);
            service.metrics().queueTime(function, submittedNanos - arrivalNanos);
            if (cancelRequested || terminated.get()) generation.cancel();
        } catch (BackendException e) {
            terminate(() -> observer.onError(InvocationService.toError(function, e)), true);
        } catch (RuntimeException e) {
            terminate(() -> observer.onError(ErrorIds.internal("the engine of function '" + function + "'", e)), true);
        }
    }

    @Override
    public void onToken(int index, String text, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
        long now = System.nanoTime();
        if (index == 0) service.metrics().timeToFirstToken(function, now - arrivalNanos);
        else service.metrics().interTokenLatency(function, now - lastTokenNanos);
        lastTokenNanos = now;
        slo.token(now);
        if (!terminated.get()) observer.onToken(index, text, logprobs);
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        if (slo.tokens() > 0) service.metrics().sloScore(function, slo.score());
        service.metrics().finished(function, reason.openAiName());
        service.metrics().completed(function, usage.promptTokens(), usage.completionTokens(), System.nanoTime() - arrivalNanos);
        terminate(() -> observer.onComplete(reason, usage), true);
    }

    @Override
    public void onError(BackendException error) {
        service.metrics().finished(function, "error");
        terminate(() -> observer.onError(InvocationService.toError(function, error)), true);
    }

    /**
     * Delivers the terminal call once. {@code releaseSlot} is true when the backend's own end
     * arrives (or submit failed): only then is the function's running slot given back, so a slot is
     * never reused while the backend still holds the sequence.
     */
    private void terminate(Runnable delivery, boolean releaseSlot) {
        // The slot is given back and counted before delivery, so a caller who has its answer finds it
        // in the function's traffic; the next invocation starts after, so it does not delay the answer.
        Invocation next = null;
        if (releaseSlot) {
            if (submittedNanos != 0) gate.serviceTime(System.nanoTime() - submittedNanos);
            next = service.releaseSlot(gate);
        }
        if (terminated.compareAndSet(false, true)) {
            ScheduledFuture<?> t = deadlineTimer;
            if (t != null) t.cancel(false);
            try {
                delivery.run();
            } catch (RuntimeException e) {
                InvocationService.LOG.warnf(e, "front door failed to take the end of invocation %s", id);
            }
        }
        if (next != null) next.submit();
    }
}
