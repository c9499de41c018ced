package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records one request's output; {@link #await} returns its finish reason or fails the test. */
class CollectingSink implements TokenSink {
    final List<Integer> ids = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<FinishReason> done = new CompletableFuture<>();
    final CountDownLatch firstToken = new CountDownLatch(1);
    volatile int completionTokens = -1;
    private int expectedIndex;

    @Override
    public synchronized void onToken(int index, int tokenId, String delta, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
        if (index != expectedIndex++) done.completeExceptionally(new AssertionError("token " + index + " out of order"));
        if (done.isDone()) done.completeExceptionally(new AssertionError("token after the end"));
        ids.add(tokenId);
        text.append(delta);
        firstToken.countDown();
    }

    @Override
    public void onComplete(FinishReason reason, int promptTokens, int completionTokens) {
        this.completionTokens = completionTokens;
        if (!done.complete(reason)) throw new AssertionError("second terminal call");
    }

    @Override
    public void onError(String message, Throwable cause) {
        done.completeExceptionally(new AssertionError("request failed: " + message, cause));
    }

    FinishReason await() throws Exception {
        return done.get(120, TimeUnit.SECONDS);
    }

    synchronized int[] tokens() {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
