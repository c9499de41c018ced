package dev.aegaeon.platform.engine;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.worker.RequestHandle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionState;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.functions.Scaling;

class TrivialEngineTest {
    final TrivialEngine engine = new TrivialEngine();

    @AfterEach
    void close() {
        engine.close();
    }

    record Result(String text, FinishReason reason, Usage usage, int terminalCalls) {}

    static final class Recorder implements TokenListener {
        final StringBuilder text = new StringBuilder();
        final AtomicInteger terminal = new AtomicInteger();
        final CompletableFuture<Result> done = new CompletableFuture<>();
        int expectedIndex;

        @Override
        public void onToken(int index, String t, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
            if (index != expectedIndex++) done.completeExceptionally(new AssertionError("out of order: " + index));
            text.append(t);
        }

        @Override
        public void onComplete(FinishReason reason, Usage usage) {
            terminal.incrementAndGet();
            done.complete(new Result(text.toString(), reason, usage, terminal.get()));
        }

        @Override
        public void onError(BackendException error) {
            terminal.incrementAndGet();
            done.completeExceptionally(error);
        }
    }

    static FunctionSpec spec(String name, Duration interval, Scaling scaling) {
        return new FunctionSpec(name, new ModelSource.Synthetic("echo", 5, interval), null, scaling, null, Optional.empty());
    }

    Result run(String fn, String prompt, SamplingParams params) throws Exception {
        Recorder r = new Recorder();
        engine.submit(fn, engine.encode(fn, new Prompt.Text(prompt)), params, r);
        return r.done.get(10, TimeUnit.SECONDS);
    }

    static SamplingParams max(int n) {
        return SamplingParams.builder().maxTokens(n).build();
    }

    @Test
    void generatesExactlyMaxTokensThenReportsLength() throws Exception {
        engine.register(spec("f", Duration.ZERO, Scaling.DEFAULT));
        Result r = run("f", "hello", max(9));
        assertEquals("[f] hello", r.text());
        assertEquals(FinishReason.LENGTH, r.reason());
        assertEquals(new Usage(5, 9), r.usage());
    }

    @Test
    void endsWithStopWhenTheScriptRunsOutOrAStopStringAppears() throws Exception {
        engine.register(spec("f", Duration.ZERO, Scaling.DEFAULT));
        Result natural = run("f", "x", max(1000));
        assertEquals(FinishReason.STOP, natural.reason());
        assertTrue(natural.text().endsWith("."), natural.text());
        Result stopped = run("f", "one two", SamplingParams.builder().maxTokens(1000).stopStrings(List.of(" two")).build());
        assertEquals("[f] one", stopped.text());
        assertEquals(FinishReason.STOP, stopped.reason());
    }

    @Test
    void theSeedDecidesTheText() throws Exception {
        engine.register(spec("f", Duration.ZERO, Scaling.DEFAULT));
        SamplingParams s1 = SamplingParams.builder().maxTokens(1000).seed(1L).build();
        SamplingParams s2 = SamplingParams.builder().maxTokens(1000).seed(2L).build();
        assertEquals(run("f", "p", s1).text(), run("f", "p", s1).text());
        assertNotEquals(run("f", "p", s1).text(), run("f", "p", s2).text());
    }

    @Test
    void cancelFreesKvBlocksAtOnceAndEndsWithOneCancelledCallback() throws Exception {
        engine.register(spec("slow", Duration.ofMillis(50), Scaling.DEFAULT));
        Recorder r = new Recorder();
        RequestHandle g = engine.submit("slow", engine.encode("slow", new Prompt.Text("x".repeat(40))), max(500), r);
        assertEquals(3, engine.status("slow").kvBlocksUsed(), "40 prompt tokens = 3 blocks of 16");
        assertEquals(FunctionState.ACTIVE, engine.status("slow").state());
        g.cancel();
        assertEquals(0, engine.status("slow").kvBlocksUsed(), "freed before cancel() returns");
        g.cancel();
        Result res = r.done.get(5, TimeUnit.SECONDS);
        assertEquals(FinishReason.CANCELLED, res.reason());
        Thread.sleep(100);
        assertEquals(1, r.terminal.get(), "exactly one terminal callback");
        assertEquals(0, engine.status("slow").running());
    }

    @Test
    void statesFollowTrafficAndIdleTime() throws Exception {
        engine.register(spec("decay", Duration.ZERO, new Scaling(0, Duration.ofMillis(200), Duration.ofMillis(400))));
        assertEquals(FunctionState.COLD, engine.status("decay").state());
        run("decay", "x", max(2));
        assertEquals(FunctionState.HOT, engine.status("decay").state());
        assertEquals(1, engine.status("decay").switches());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (engine.status("decay").state() != FunctionState.COLD && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(FunctionState.COLD, engine.status("decay").state(), "idle: HOT -> WARM -> COLD");
        run("decay", "x", max(2));
        assertEquals(2, engine.status("decay").switches(), "called again: a second scale-up");

        engine.register(spec("pinned", Duration.ZERO, new Scaling(1, Duration.ofMillis(100), Duration.ofMillis(100))));
        assertEquals(FunctionState.HOT, engine.status("pinned").state(), "minScale 1 loads at registration");
        Thread.sleep(400);
        assertEquals(FunctionState.HOT, engine.status("pinned").state(), "and never decays");
    }

    @Test
    void unknownFunctionsAndUnregistrationAreReported() throws Exception {
        assertThrows(BackendException.UnknownFunction.class, () -> engine.encode("nope", new Prompt.Text("x")));
        assertThrows(BackendException.UnknownFunction.class, () -> engine.status("nope"));
        engine.register(spec("gone", Duration.ofMillis(50), Scaling.DEFAULT));
        Recorder r = new Recorder();
        engine.submit("gone", engine.encode("gone", new Prompt.Text("x")), max(100), r);
        engine.unregister("gone");
        assertEquals(FinishReason.CANCELLED, r.done.get(5, TimeUnit.SECONDS).reason());
        assertInstanceOf(BackendException.UnknownFunction.class,
                assertThrows(BackendException.class, () -> engine.encode("gone", new Prompt.Text("x"))));
    }
}
