package dev.aegaeon.platform.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.Limits;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.platform.engine.TrivialEngine;
import dev.aegaeon.platform.engine.Usage;

class InvocationServiceTest {
    final TrivialEngine engine = new TrivialEngine();
    final InvocationService service = new InvocationService(engine, InvocationMetrics.NONE, 2, Duration.ofSeconds(30));

    @AfterEach
    void close() {
        service.close();
        engine.close();
    }

    static final class Outcome implements InvocationObserver {
        final CompletableFuture<String> end = new CompletableFuture<>();

        public void onToken(int index, String text, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {}

        public void onComplete(FinishReason reason, Usage usage) {
            end.complete(reason.name());
        }

        public void onError(InvocationError error) {
            end.complete("error:" + error.code());
        }
    }

    void register(String name, int interval, int concurrent, int queued) {
        service.register(new FunctionSpec(name, new ModelSource.Synthetic("echo", 1, Duration.ofMillis(interval)), null, null,
                new Limits(100, 100, concurrent, queued), Optional.empty()));
    }

    static InvocationRequest request(String fn, int maxTokens, Optional<Duration> timeout) {
        return new InvocationRequest(fn, new Prompt.Text("hi"), Optional.of(maxTokens), 16,
                dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), timeout, Optional.empty(), Optional.empty());
    }

    @Test
    void queuedInvocationsRunInOrderWhenASlotFrees() throws Exception {
        register("f", 1, 1, 5);
        Outcome a = new Outcome(), b = new Outcome();
        service.start(request("f", 5, Optional.empty()), a);
        service.start(request("f", 5, Optional.empty()), b);
        assertEquals(1, service.traffic("f").orElseThrow().waiting());
        assertEquals("LENGTH", a.end.get(5, TimeUnit.SECONDS));
        assertEquals("LENGTH", b.end.get(5, TimeUnit.SECONDS));
        assertEquals(0, service.queuedTotal());
    }

    @Test
    void theOverallQueueBoundAppliesAcrossFunctions() throws Exception {
        register("f", 50, 1, 5);
        register("g", 50, 1, 5);
        service.start(request("f", 100, Optional.empty()), new Outcome()); // runs
        service.start(request("g", 100, Optional.empty()), new Outcome()); // runs
        service.start(request("f", 100, Optional.empty()), new Outcome()); // waits (1 of 2)
        service.start(request("g", 100, Optional.empty()), new Outcome()); // waits (2 of 2)
        InvocationRejected e = assertThrows(InvocationRejected.class, () -> service.start(request("f", 100, Optional.empty()), new Outcome()));
        assertEquals(429, e.error().status());
        assertTrue(e.error().retryAfter().orElseThrow().toSeconds() >= 1);
    }

    @Test
    void cancellingAQueuedInvocationFreesItsPlace() throws Exception {
        register("f", 50, 1, 1);
        service.start(request("f", 100, Optional.empty()), new Outcome());
        Outcome queued = new Outcome();
        Invocation inv = service.start(request("f", 100, Optional.empty()), queued);
        inv.cancel();
        assertEquals("CANCELLED", queued.end.get(1, TimeUnit.SECONDS));
        assertEquals(0, service.traffic("f").orElseThrow().waiting());
        service.start(request("f", 100, Optional.empty()), new Outcome()); // the place is free again
    }

    @Test
    void aDeadlineEndsTheInvocationWithATimeoutAndFreesTheSlot() throws Exception {
        register("f", 50, 1, 1);
        Outcome o = new Outcome();
        service.start(request("f", 100, Optional.of(Duration.ofMillis(100))), o);
        assertEquals("error:deadline_exceeded", o.end.get(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (service.traffic("f").orElseThrow().running() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, service.traffic("f").orElseThrow().running());
        assertEquals(0, engine.status("f").kvBlocksUsed());
    }

    @Test
    void unregisteringEndsRunningAndQueuedInvocations() throws Exception {
        register("f", 50, 1, 1);
        Outcome running = new Outcome(), waiting = new Outcome();
        service.start(request("f", 100, Optional.empty()), running);
        service.start(request("f", 100, Optional.empty()), waiting);
        service.unregister("f");
        assertEquals("CANCELLED", running.end.get(5, TimeUnit.SECONDS));
        assertEquals("CANCELLED", waiting.end.get(5, TimeUnit.SECONDS));
        assertEquals(0, service.queuedTotal());
    }

    @Test
    void anOmittedChatMaxTokensIsWhatFitsInTheContextCappedByTheFunction() throws Exception {
        FunctionSpec spec = new FunctionSpec("f", new ModelSource.Synthetic("echo", 1, Duration.ofMillis(1)), null, null,
                new Limits(4096, 1024, 4, 4), Optional.empty());
        InvocationRequest chat = new InvocationRequest("f", new Prompt.Text("hi"), Optional.empty(), Integer.MAX_VALUE,
                dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(256 - 40, InvocationService.sampling(chat, spec, 40, java.util.OptionalInt.of(256)).maxTokens(),
                "a 256-token context with a 40-token prompt leaves 216, not the function's 1024");
        assertEquals(1024, InvocationService.sampling(chat, spec, 40, java.util.OptionalInt.of(32768)).maxTokens());
        assertEquals(1024, InvocationService.sampling(chat, spec, 40, java.util.OptionalInt.empty()).maxTokens());
        InvocationRequest completion = new InvocationRequest("f", new Prompt.Text("hi"), Optional.empty(), 16,
                dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(16, InvocationService.sampling(completion, spec, 40, java.util.OptionalInt.of(256)).maxTokens(),
                "completions keep OpenAI's default of 16");
    }

    @Test
    void aPromptFarPastTheLimitIsRefusedWithoutTokenizing() throws Exception {
        java.util.concurrent.atomic.AtomicInteger encoded = new java.util.concurrent.atomic.AtomicInteger();
        TrivialEngine inner = new TrivialEngine();
        dev.aegaeon.platform.engine.InferenceBackend counting = new dev.aegaeon.platform.engine.InferenceBackend() {
            public String name() { return inner.name(); }
            public void register(FunctionSpec spec) { inner.register(spec); }
            public void unregister(String function) { inner.unregister(function); }
            public dev.aegaeon.platform.engine.EncodedPrompt encode(String function, Prompt prompt)
                    throws dev.aegaeon.platform.engine.BackendException {
                encoded.incrementAndGet();
                return inner.encode(function, prompt);
            }
            public dev.aegaeon.worker.RequestHandle submit(String function, dev.aegaeon.platform.engine.EncodedPrompt prompt,
                    dev.aegaeon.runtime.engine.SamplingParams params, dev.aegaeon.platform.engine.TokenListener listener)
                    throws dev.aegaeon.platform.engine.BackendException {
                return inner.submit(function, prompt, params, listener);
            }
            public dev.aegaeon.platform.engine.FunctionStatus status(String function)
                    throws dev.aegaeon.platform.engine.BackendException.UnknownFunction {
                return inner.status(function);
            }
            public void close() { inner.close(); }
        };
        try (InvocationService s = new InvocationService(counting, InvocationMetrics.NONE, 2, Duration.ofSeconds(30))) {
            s.register(new FunctionSpec("f", new ModelSource.Synthetic("echo", 1, Duration.ofMillis(1)), null, null,
                    new Limits(100, 100, 1, 1), Optional.empty()));
            // 100 tokens can hold at most 100 x 256 characters, whatever the tokenizer.
            InvocationRequest huge = new InvocationRequest("f", new Prompt.Text("x".repeat(100 * 256 + 1)), Optional.of(1), 16,
                    dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), Optional.empty(), Optional.empty(), Optional.empty());
            InvocationRejected e = assertThrows(InvocationRejected.class, () -> s.start(huge, new Outcome()));
            assertEquals("context_length_exceeded", e.error().code());
            assertEquals(0, encoded.get(), "refused before the tokenizer saw it");
            InvocationRequest fits = new InvocationRequest("f", new Prompt.Text("x".repeat(100 * 256)), Optional.of(1), 16,
                    dev.aegaeon.runtime.engine.SamplingParams.builder().build(), System.nanoTime(), Optional.empty(), Optional.empty(), Optional.empty());
            assertThrows(InvocationRejected.class, () -> s.start(fits, new Outcome()), "too long once tokenized");
            assertEquals(1, encoded.get(), "at the bound the tokenizer decides");
        } finally {
            inner.close();
        }
    }
}
