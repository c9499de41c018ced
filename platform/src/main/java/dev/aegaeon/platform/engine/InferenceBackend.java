package dev.aegaeon.platform.engine;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.worker.RequestHandle;

/**
 * What the invocation service needs from a model runtime (engine + scheduler). The platform owns
 * admission, deadlines, authentication and protocols; the backend owns models, KV memory and the
 * order in which tokens are computed.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threading.</b> Every method is thread-safe and non-blocking: it returns after O(work to
 *       enqueue), never after model loading or computation. {@link #encode} may run the tokenizer
 *       on the caller's thread.</li>
 *   <li><b>Callbacks.</b> For one {@link RequestHandle}, {@link TokenListener} methods are called
 *       serially (never concurrently), from backend threads, in token order, and must not block
 *       (they hand data to a network buffer and return). Exactly one terminal callback
 *       ({@link TokenListener#onComplete} or {@link TokenListener#onError}) ends every generation
 *       that {@link #submit} returned, whatever happens (cancellation, unregistration, shutdown).</li>
 *   <li><b>Cancellation.</b> {@link RequestHandle#cancel()} is idempotent and may be called from any
 *       thread at any time. The backend releases the sequence's KV blocks and queue slot before
 *       the terminal callback {@code onComplete(FinishReason.CANCELLED, usage)}, which comes
 *       promptly (within one decode step); at most one {@code onToken} already in progress may
 *       precede it. After a terminal callback, {@code cancel()} is a no-op.</li>
 *   <li><b>Backpressure.</b> The backend does not wait for slow listeners: output is bounded by
 *       {@link SamplingParams#maxTokens()}, which the platform caps per function, so a listener's
 *       buffer is bounded too. Load shedding (bounded queues, 429) is the platform's job; the
 *       backend accepts every submission for a registered function and may queue it internally.</li>
 *   <li><b>Errors.</b> Synchronous failures throw {@link BackendException} subclasses:
 *       {@link BackendException.UnknownFunction} (not registered),
 *       {@link BackendException.InvalidRequest} (the prompt or parameters cannot be served, e.g.
 *       longer than the model's context), {@link BackendException.Unavailable} (shutting down, or
 *       the model cannot be loaded). Asynchronous failures after {@code submit} returned arrive
 *       as {@code onError} with the same types (e.g. a load failure or a device error).</li>
 *   <li><b>States.</b> {@link #status} reports COLD/WARM/HOT/ACTIVE per function and counters
 *       that only grow (switches, load seconds); it is cheap (called by metric scrapes).</li>
 * </ul>
 */
public interface InferenceBackend extends AutoCloseable {

    /** Human-readable name for logs and the admin API, e.g. "trivial-engine" or "cpu". */
    String name();

    /**
     * Makes a function servable (or replaces its spec: a changed model source takes effect for
     * generations submitted afterwards). May start loading the model in the background when
     * {@code minScale} is 1; must not block on it.
     */
    void register(FunctionSpec spec);

    /** Forgets a function: cancels its generations (each gets its terminal callback) and frees its memory. */
    void unregister(String function);

    /** Tokenizes a prompt with the function's tokenizer and chat template. */
    EncodedPrompt encode(String function, Prompt prompt) throws BackendException;

    /**
     * Starts generating. Never blocks on the model being loaded: a COLD function is loaded as part
     * of serving this generation (counted in its TTFT).
     */
    RequestHandle submit(String function, EncodedPrompt prompt, SamplingParams params, TokenListener listener)
            throws BackendException;

    /**
     * The longest prompt plus output one request of this function may have (the model's context
     * length as this backend serves it), or empty when the backend sets no such limit.
     */
    default java.util.OptionalInt contextLength(String function) throws BackendException {
        return java.util.OptionalInt.empty();
    }

    /**
     * Token ids of a text or chat prompt as vLLM's {@code /tokenize} gives them: text encoded with
     * {@code addSpecialTokens}; chat rendered by the function's chat template (with the assistant's
     * turn opened when {@code addGenerationPrompt}) and then encoded.
     */
    default int[] tokenize(String function, Prompt prompt, boolean addSpecialTokens, boolean addGenerationPrompt)
            throws BackendException {
        throw new BackendException.InvalidRequest("The " + name() + " backend has no tokenizer for model '" + function + "'.");
    }

    /** The text of {@code ids} (special tokens kept), as vLLM's {@code /detokenize} gives it. */
    default String detokenize(String function, int[] ids) throws BackendException {
        throw new BackendException.InvalidRequest("The " + name() + " backend has no tokenizer for model '" + function + "'.");
    }

    /** A snapshot of one function's runtime state. */
    FunctionStatus status(String function) throws BackendException.UnknownFunction;

    /**
     * Why {@code function} cannot serve (its model failed to load), with every detail (paths,
     * parser messages): for the operator through the admin API only, never for an inference caller.
     */
    default java.util.Optional<String> failure(String function) {
        return java.util.Optional.empty();
    }

    /** Cancels everything, frees all memory; every open generation gets its terminal callback. */
    @Override
    void close();
}
