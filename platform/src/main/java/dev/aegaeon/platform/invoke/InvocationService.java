package dev.aegaeon.platform.invoke;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.EncodedPrompt;
import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.runtime.engine.SamplingParams;

/**
 * The one path from every front door (OpenAI HTTP, Funqy, CloudEvents, Kafka) to the backend:
 * authentication, request limits, admission with bounded queues per function and overall,
 * deadlines and cancellation. Thread-safe; {@link #start} never blocks.
 */
public final class InvocationService implements AutoCloseable {
    static final Logger LOG = Logger.getLogger(InvocationService.class);

    private final InferenceBackend backend;
    private final InvocationMetrics metrics;
    private final Duration defaultTimeout;
    private final FunctionGate.GlobalQueue globalQueue;
    private final Map<String, FunctionGate> gates = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * @param maxQueuedTotal bound on invocations waiting in all functions' queues together
     * @param defaultTimeout deadline for invocations that ask for none
     */
    public InvocationService(InferenceBackend backend, InvocationMetrics metrics, int maxQueuedTotal, Duration defaultTimeout) {
        this.backend = backend;
        this.metrics = metrics;
        this.defaultTimeout = defaultTimeout;
        this.globalQueue = new FunctionGate.GlobalQueue(maxQueuedTotal);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "invocation-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    /** Makes a function invocable, or applies a changed spec (new limits apply to new admissions). */
    public void register(FunctionSpec spec) {
        backend.register(spec);
        gates.compute(spec.name(), (n, g) -> {
            if (g == null) return new FunctionGate(spec);
            g.spec = spec;
            return g;
        });
    }

    /** Removes a function; its running and queued invocations end as cancelled. */
    public void unregister(String name) {
        FunctionGate g = gates.remove(name);
        // Drain the queue first: cancelling the running invocations frees slots, and a queued one
        // promoted into such a slot would reach a backend that no longer knows the function.
        if (g != null) g.drainWaiting(globalQueue).forEach(Invocation::endUnrun);
        backend.unregister(name);
    }

    /**
     * Checks and admits one invocation. On success the observer will get its callbacks (possibly
     * before this method returns); on failure nothing was queued and the observer is never called.
     */
    public Invocation start(InvocationRequest request, InvocationObserver observer) throws InvocationRejected {
        try {
            return admit(request, observer);
        } catch (InvocationRejected e) {
            // Only registered functions: an unknown name must not mint a metric series.
            if (gates.containsKey(request.function()))
                metrics.refused(request.function(), e.reason());
            throw e;
        }
    }

    private Invocation admit(InvocationRequest request, InvocationObserver observer) throws InvocationRejected {
        FunctionGate gate = gates.get(request.function());
        if (gate == null) throw new InvocationRejected(InvocationError.unknownModel(request.function()));
        FunctionSpec spec = gate.spec;
        if (!spec.authorizes(request.apiKey().orElse(null)))
            throw new InvocationRejected(InvocationError.unauthorized(spec.name()), "invalid_api_key");
        checkSampling(request);
        if (PromptSize.certainlyTooLong(request.prompt(), spec.limits().maxPromptTokens())) {
            throw new InvocationRejected(InvocationError.invalid(
                    request.prompt() instanceof dev.aegaeon.platform.engine.Prompt.Chat ? "messages" : "prompt", "context_length_exceeded",
                    "This model's maximum prompt length is " + spec.limits().maxPromptTokens() + " tokens. However, your prompt has "
                            + PromptSize.characters(request.prompt()) + " characters, more than that many tokens can hold."));
        }
        EncodedPrompt prompt;
        java.util.OptionalInt contextLength;
        try {
            prompt = backend.encode(spec.name(), request.prompt());
            contextLength = backend.contextLength(spec.name());
        } catch (BackendException e) {
            throw new InvocationRejected(toError(spec.name(), e));
        }
        if (prompt.length() > spec.limits().maxPromptTokens()) {
            String param = request.prompt() instanceof dev.aegaeon.platform.engine.Prompt.Chat ? "messages" : "prompt";
            throw new InvocationRejected(InvocationError.invalid(param, "context_length_exceeded",
                    "This model's maximum prompt length is " + spec.limits().maxPromptTokens()
                            + " tokens. However, your prompt has " + prompt.length() + " tokens."));
        }
        if (prompt.length() == 0) {
            throw new InvocationRejected(InvocationError.invalid(
                    request.prompt() instanceof dev.aegaeon.platform.engine.Prompt.Chat ? "messages" : "prompt",
                    "invalid_value", "The prompt must not be empty."));
        }
        SamplingParams params = sampling(request, spec, prompt.length(), contextLength);
        Duration timeout = request.timeout().orElse(defaultTimeout);
        String id = request.id().orElseGet(() -> UUID.randomUUID().toString());
        Invocation inv = new Invocation(this, gate, id, prompt, params, observer, request.arrivalNanos(), timeout);
        switch (gate.admit(inv, globalQueue)) {
            case FULL -> {
                gate.rejected.incrementAndGet();
                metrics.finished(spec.name(), "rejected");
                throw new InvocationRejected(InvocationError.overloaded(
                        "Too many requests for model '" + spec.name() + "': " + gate.running() + " running, "
                                + gate.waiting() + " waiting. Retry later.",
                        Duration.ofSeconds(gate.retryAfterSeconds())));
            }
            case QUEUED -> {
                gate.accepted.incrementAndGet();
                inv.armDeadline();
            }
            case RUN -> {
                gate.accepted.incrementAndGet();
                inv.armDeadline();
                inv.submit();
            }
        }
        return inv;
    }

    /** Rejects a bad explicit {@code max_tokens} before the prompt is encoded (no tokenizer work for it). */
    private static void checkSampling(InvocationRequest r) throws InvocationRejected {
        if (r.maxTokens().isPresent() && r.maxTokens().get() < 1)
            throw new InvocationRejected(InvocationError.invalid("max_tokens", "invalid_value",
                    "max_tokens must be at least 1, got " + r.maxTokens().get() + "."));
    }

    /**
     * The sampling parameters. An omitted {@code max_tokens} means the front door's default, and
     * where that is "as many as fit" ({@link Integer#MAX_VALUE}, chat as in vLLM) the model's
     * context length minus the prompt, capped by the function's {@code maxOutputTokens}.
     */
    static SamplingParams sampling(InvocationRequest r, FunctionSpec spec, int promptTokens, java.util.OptionalInt contextLength)
            throws InvocationRejected {
        int fits = contextLength.isPresent() ? Math.max(1, contextLength.getAsInt() - promptTokens) : Integer.MAX_VALUE;
        int max = r.maxTokens().orElse(Math.min(Math.min(r.defaultMaxTokens(), fits), spec.limits().maxOutputTokens()));
        if (max < 1)
            throw new InvocationRejected(InvocationError.invalid("max_tokens", "invalid_value",
                    "max_tokens must be at least 1, got " + max + "."));
        if (max > spec.limits().maxOutputTokens())
            throw new InvocationRejected(InvocationError.invalid("max_tokens", "invalid_value",
                    "max_tokens is too large: " + max + ". This model supports at most "
                            + spec.limits().maxOutputTokens() + " completion tokens."));
        SamplingParams s = r.sampling();
        if (!(s.temperature() >= 0 && s.temperature() <= 2))
            throw new InvocationRejected(InvocationError.invalid("temperature", "invalid_value",
                    "temperature must be between 0 and 2, got " + s.temperature() + "."));
        if (s.stopStrings().size() > 4)
            throw new InvocationRejected(InvocationError.invalid("stop", "invalid_value", "At most 4 stop sequences are allowed."));
        return s.withMaxTokens(max);
    }

    /** A slot of {@code gate} is given back: counts the invocation completed and returns the waiting invocation to start next, if any. */
    Invocation releaseSlot(FunctionGate gate) {
        gate.completed.incrementAndGet();
        return gate.release(globalQueue);
    }

    static InvocationError toError(String function, BackendException e) {
        return switch (e) {
            case BackendException.UnknownFunction u -> InvocationError.unknownModel(function);
            case BackendException.InvalidRequest i -> InvocationError.invalid(i.param(), "invalid_value", i.getMessage());
            case BackendException.Unavailable u -> ErrorIds.unavailable(function, u.getMessage());
            default -> ErrorIds.internal("function '" + function + "'", e);
        };
    }

    /** Running and waiting counts for one function, as the platform's gate sees them. */
    public Optional<Traffic> traffic(String function) {
        FunctionGate g = gates.get(function);
        if (g == null) return Optional.empty();
        return Optional.of(new Traffic(g.running(), g.waiting(), g.accepted.get(), g.rejected.get(), g.completed.get()));
    }

    public record Traffic(int running, int waiting, long accepted, long rejected, long completed) {}

    public int queuedTotal() {
        return globalQueue.size();
    }

    InferenceBackend backend() {
        return backend;
    }

    InvocationMetrics metrics() {
        return metrics;
    }

    FunctionGate.GlobalQueue globalQueue() {
        return globalQueue;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
