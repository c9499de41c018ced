package dev.aegaeon.platform.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.worker.RequestHandle;

/**
 * One generation in the trivial engine. Every step runs on the engine's single ticker thread, so
 * listener calls are serial. {@link #cancel()} frees the KV blocks on the caller's thread at once,
 * then the terminal callback follows on the ticker thread.
 */
final class TrivialSequence implements RequestHandle {
    private static final AtomicLong NEXT_ID = new AtomicLong();
    private final long id = NEXT_ID.incrementAndGet();
    private final TrivialEngine engine;
    private final TrivialModel model;
    private final int promptTokens;
    private final int[] script;
    private final SamplingParams params;
    private final TokenListener listener;
    private final long intervalNanos;
    private final StopMatcher stop;
    private final AtomicBoolean finished = new AtomicBoolean();
    private long blocksHeld;
    private int generated;

    TrivialSequence(TrivialEngine engine, TrivialModel model, int promptTokens, String script, SamplingParams params,
            TokenListener listener, Duration interval) {
        this.engine = engine;
        this.model = model;
        this.promptTokens = promptTokens;
        this.script = script.codePoints().toArray();
        this.params = params;
        this.listener = listener;
        this.intervalNanos = interval.toNanos();
        this.stop = new StopMatcher(params.stopStrings());
    }

    @Override
    public long id() {
        return id;
    }

    void start() {
        holdBlocks(promptTokens);
        engine.ticker().schedule(this::step, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void step() {
        if (finished.get()) return;
        if (generated >= script.length) {
            finish(FinishReason.STOP);
            return;
        }
        String text = stop.accept(CodePointTokenizer.decode(script[generated]));
        int index = generated++;
        holdBlocks(promptTokens + generated);
        if (stop.stopped()) {
            if (!text.isEmpty()) listener.onToken(index, text, null);
            finish(FinishReason.STOP);
            return;
        }
        if (generated >= params.maxTokens()) {
            listener.onToken(index, text + stop.flush(), null);
            finish(FinishReason.LENGTH);
            return;
        }
        if (generated >= script.length) text += stop.flush();
        listener.onToken(index, text, null);
        engine.ticker().schedule(this::step, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void finish(FinishReason reason) {
        if (!finished.compareAndSet(false, true)) return;
        release();
        listener.onComplete(reason, new Usage(promptTokens, generated));
    }

    @Override
    public void cancel() {
        if (!finished.compareAndSet(false, true)) return;
        release();
        engine.ticker().execute(() -> listener.onComplete(FinishReason.CANCELLED, new Usage(promptTokens, generated)));
    }

    private synchronized void holdBlocks(int tokens) {
        if (finished.get()) return;
        long need = (tokens + TrivialEngine.KV_BLOCK_TOKENS - 1) / TrivialEngine.KV_BLOCK_TOKENS;
        model.kvBlocksUsed.addAndGet(need - blocksHeld);
        blocksHeld = need;
    }

    private synchronized void release() {
        model.kvBlocksUsed.addAndGet(-blocksHeld);
        blocksHeld = 0;
        engine.finished(model, this);
    }
}
