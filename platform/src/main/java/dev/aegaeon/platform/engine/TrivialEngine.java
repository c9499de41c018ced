package dev.aegaeon.platform.engine;

import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.sampling.ResponseFormat;
import dev.aegaeon.worker.RequestHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionState;
import dev.aegaeon.functions.ModelSource;

/**
 * The echo backend: a deterministic stand-in for a real engine that needs NO model. It "generates"
 * by echoing the prompt ({@code [<function>] } then its last non-blank line, at most 64 code
 * points; see {@link SyntheticText}) and appending seeded pseudo-random words, one code point per
 * token, one token per {@code tokenInterval} of the function's synthetic model source (2 ms by
 * default; HF-directory and Hub functions get the default too; this engine never reads weights). It
 * exists so the platform's HTTP, Kafka, registry and lifecycle paths can be run, tested and
 * benchmarked without the real engine; it honours max_tokens, stop strings and seed, keeps
 * per-function COLD/WARM/HOT/ACTIVE states with idle decay, and accounts KV blocks (16 tokens per
 * block) the way a paged cache would, so cancellation and metrics can be observed.
 *
 * <p>Selected by {@code aegaeon.backend=trivial} ({@code boot.BackendProducer}; the default is
 * {@code pool}, real models). The {@code test} profile selects it
 * ({@code %test.aegaeon.backend=trivial} in {@code application.properties}), and the multi-node
 * end-to-end tests start the platform jar with {@code -Daegaeon.backend=trivial}.
 */
public final class TrivialEngine implements InferenceBackend {
    static final int KV_BLOCK_TOKENS = 16;
    static final long KV_BLOCKS_TOTAL = 1 << 16;

    private final ScheduledExecutorService ticker;
    private final Clock clock;
    private final Map<String, TrivialModel> models = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public TrivialEngine() {
        this(Clock.systemUTC());
    }

    TrivialEngine(Clock clock) {
        this.clock = clock;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trivial-engine");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::decayIdleModels, 100, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return "trivial-engine (synthetic echo, no model)";
    }

    @Override
    public void register(FunctionSpec spec) {
        TrivialModel model = models.compute(spec.name(), (n, old) -> {
            if (old == null) return new TrivialModel(spec);
            old.spec = spec;
            return old;
        });
        if (spec.scaling().minScale() == 1) model.ensureHot(clock.instant());
    }

    @Override
    public void unregister(String function) {
        TrivialModel m = models.remove(function);
        if (m != null) m.sequences.forEach(TrivialSequence::cancel);
    }

    @Override
    public EncodedPrompt encode(String function, Prompt prompt) throws BackendException {
        model(function);
        return new EncodedPrompt(CodePointTokenizer.encode(prompt));
    }

    @Override
    public RequestHandle submit(String function, EncodedPrompt prompt, SamplingParams params, TokenListener listener)
            throws BackendException {
        if (closed) throw new BackendException.Unavailable("the engine is shut down", null);
        TrivialModel m = model(function);
        refuseWhatAScriptCannotHonour(params);
        m.ensureHot(clock.instant());
        Duration interval = m.spec.model() instanceof ModelSource.Synthetic s ? s.tokenInterval()
                : ModelSource.Synthetic.DEFAULT_TOKEN_INTERVAL;
        long functionSeed = m.spec.model() instanceof ModelSource.Synthetic s ? s.seed() : 0L;
        String script = SyntheticText.script(function, prompt, params.seed() != null ? params.seed() : functionSeed);
        TrivialSequence seq = new TrivialSequence(this, m, prompt.length(), script, params, listener, interval);
        m.sequences.add(seq);
        m.lastUsed = clock.instant();
        seq.start();
        return seq;
    }

    /** Scripted text has no token distribution: rules over one are refused by name, never ignored. */
    private static void refuseWhatAScriptCannotHonour(SamplingParams p) throws BackendException.InvalidRequest {
        String param = p.logprobs() >= 0 ? "logprobs"
                : p.penalties().presence() != 0f ? "presence_penalty"
                : p.penalties().frequency() != 0f ? "frequency_penalty"
                : p.penalties().repetition() != 1f ? "repetition_penalty"
                : !p.logitBias().isEmpty() ? "logit_bias"
                : p.topK() > 0 ? "top_k"
                : p.minP() > 0f ? "min_p"
                : !(p.responseFormat() instanceof ResponseFormat.Text) ? "response_format" : null;
        if (param != null) {
            throw new BackendException.InvalidRequest(param, "The trivial engine writes scripted text without a token "
                    + "distribution, so '" + param + "' is not supported; use a model backend.");
        }
    }

    @Override
    public FunctionStatus status(String function) throws BackendException.UnknownFunction {
        TrivialModel m = models.get(function);
        if (m == null) throw new BackendException.UnknownFunction(function);
        int running = m.sequences.size();
        FunctionState state = running > 0 ? FunctionState.ACTIVE : m.state;
        return new FunctionStatus(state, running, 0, m.kvBlocksUsed.get(), KV_BLOCKS_TOTAL, m.switches.get(),
                m.loadNanos.get() / 1e9, Optional.ofNullable(m.lastSwitch));
    }

    @Override
    public void close() {
        closed = true;
        models.values().forEach(m -> m.sequences.forEach(TrivialSequence::cancel));
        ticker.shutdown();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ScheduledExecutorService ticker() {
        return ticker;
    }

    void finished(TrivialModel m, TrivialSequence seq) {
        m.sequences.remove(seq);
        m.lastUsed = clock.instant();
    }

    private TrivialModel model(String function) throws BackendException.UnknownFunction {
        TrivialModel m = models.get(function);
        if (m == null) throw new BackendException.UnknownFunction(function);
        return m;
    }

    private void decayIdleModels() {
        Instant now = clock.instant();
        for (TrivialModel m : models.values()) m.decay(now);
    }
}
