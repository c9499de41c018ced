package dev.aegaeon.platform.pool;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionState;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.EncodedPrompt;
import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.InvalidParameter;
import dev.aegaeon.platform.engine.FunctionStatus;
import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import dev.aegaeon.platform.engine.Prompt;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.platform.engine.TokenListener;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.ChatTemplateException;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.tokenizer.TokenizerException;
import dev.aegaeon.scheduler.SloTargets;
import dev.aegaeon.worker.ModelFunction;
import dev.aegaeon.worker.ModelPool;
import dev.aegaeon.worker.WeightOrigin;
import dev.aegaeon.worker.ModelStatus;
import dev.aegaeon.worker.RequestHandle;
import dev.aegaeon.worker.TokenSink;

/**
 * The platform's {@link InferenceBackend} over the worker's {@link ModelPool}: real models on the
 * device (CPU, or CUDA where usable) through the real token-level scheduler. Prompts are encoded
 * with the model's own tokenizer and chat template (the synthetic tokenizer and ChatML for
 * synthetic models). A synthetic function whose shape is {@code echo} (the trivial engine's
 * preset, used by the embedded {@code demo}) runs the configured {@code echoShape} instead.
 */
public final class PooledInferenceBackend implements InferenceBackend {
    private static final Logger LOG = Logger.getLogger(PooledInferenceBackend.class);

    private final ModelPool pool;
    private final String echoShape;
    /** Functions whose model could not be opened or fetched, with the reason (admin-facing): registered, every call fails. */
    private final Map<String, String> unusable = new ConcurrentHashMap<>();
    private final HubDownloads downloads;
    /** Hub functions by name, with the spec whose download is the current one (a newer registration replaces it). */
    private final Map<String, FunctionSpec> hubSpecs = new ConcurrentHashMap<>();
    /** Hub functions being served, with the snapshot directory they were registered with. */
    private final Map<String, java.nio.file.Path> hubServed = new ConcurrentHashMap<>();

    public PooledInferenceBackend(ModelPool pool, String echoShape) {
        this(pool, echoShape, new dev.aegaeon.runtime.hub.HubDownloader(dev.aegaeon.runtime.hub.HubSettings.fromEnvironment()));
    }

    public PooledInferenceBackend(ModelPool pool, String echoShape, dev.aegaeon.runtime.hub.HubDownloader hub) {
        this.pool = pool;
        this.echoShape = echoShape;
        this.downloads = new HubDownloads(hub, pool::trackDownload);
    }

    /** The pool itself, for its device-level metrics (hand-offs, busy seconds). */
    public ModelPool pool() {
        return pool;
    }

    @Override
    public String name() {
        String scheduler = pool.policy() == dev.aegaeon.worker.PoolPolicy.REQUEST_LEVEL ? "request-level baseline" : "token-level scheduler";
        String devices = pool.deviceCount() == 1 ? ""
                : ", " + pool.deviceCount() + " devices " + pool.mode().name().toLowerCase(java.util.Locale.ROOT);
        return "aegaeon model pool (" + pool.backendName() + " backend" + devices + ", " + scheduler + ")";
    }

    /**
     * Registers with the pool. A hub model is downloaded first, in the background (the function is
     * DOWNLOADING meanwhile); an unchanged hub source already served is not fetched again. A source
     * that cannot be opened or fetched does not throw: the registration must survive (it is stored,
     * and a restart must not fail on it), so the function stays registered as FAILED, with the
     * reason as its last error, and each call answers 503.
     */
    @Override
    public synchronized void register(FunctionSpec spec) {
        String name = spec.name();
        downloads.cancel(name);
        hubSpecs.remove(name);
        if (spec.model() instanceof ModelSource.Hub hub) {
            java.nio.file.Path served = hubServed.get(name);
            if (served != null && pool.models().contains(name) && hubSourceOf(name).filter(hub::equals).isPresent()) {
                registerWith(spec, served);
                return;
            }
            pool.unregister(name);
            hubServed.remove(name);
            unusable.remove(name);
            hubSpecs.put(name, spec);
            hubSources.put(name, hub);
            downloads.start(spec, hub, this::downloaded, this::downloadFailed);
            return;
        }
        hubServed.remove(name);
        hubSources.remove(name);
        registerWith(spec, null);
    }

    /** The hub source each hub function was last registered with. */
    private final Map<String, ModelSource.Hub> hubSources = new ConcurrentHashMap<>();

    private Optional<ModelSource.Hub> hubSourceOf(String name) {
        return Optional.ofNullable(hubSources.get(name));
    }

    private synchronized void downloaded(FunctionSpec spec, java.nio.file.Path dir) {
        if (hubSpecs.get(spec.name()) != spec) return; // replaced or unregistered meanwhile
        hubSpecs.remove(spec.name());
        try {
            dev.aegaeon.platform.models.ModelSourceCheck.check(new ModelSource.HfDirectory(dir));
        } catch (dev.aegaeon.functions.SpecValidationException e) {
            unusable.put(spec.name(), "the model downloaded from the hub cannot be loaded: " + e.rule());
            return;
        }
        if (registerWith(spec, dir)) hubServed.put(spec.name(), dir);
    }

    private synchronized void downloadFailed(FunctionSpec spec, String reason) {
        if (hubSpecs.get(spec.name()) != spec) return;
        hubSpecs.remove(spec.name());
        unusable.put(spec.name(), reason);
    }

    private boolean registerWith(FunctionSpec spec, java.nio.file.Path hubDir) {
        try {
            pool.register(toFunction(spec, hubDir));
            unusable.remove(spec.name());
            return true;
        } catch (RuntimeException e) {
            String reason = "model '" + spec.name() + "' cannot be loaded: " + e.getMessage();
            LOG.warn(reason);
            pool.unregister(spec.name());
            unusable.put(spec.name(), reason);
            return false;
        }
    }

    @Override
    public Optional<String> failure(String function) {
        return Optional.ofNullable(unusable.get(function));
    }

    private void requireUsable(String function) throws BackendException.Unavailable {
        var downloading = downloads.progress(function);
        if (downloading.isPresent()) {
            long done = downloading.get().done.get(), total = downloading.get().total.get();
            throw new BackendException.Unavailable("Model '" + function + "' is still downloading from the hub"
                    + (total > 0 ? " (" + (100 * done / total) + "%)" : "") + "; retry when it is ready.", null);
        }
        if (unusable.containsKey(function))
            throw new BackendException.Unavailable("Model '" + function + "' cannot be served: its model failed to load "
                    + "(the admin API shows the reason as the function's lastError).", null);
    }

    ModelFunction toFunction(FunctionSpec spec) {
        return toFunction(spec, null);
    }

    ModelFunction toFunction(FunctionSpec spec, java.nio.file.Path hubDir) {
        WeightOrigin source = switch (spec.model()) {
            case ModelSource.HfDirectory hf -> new WeightOrigin.HfDirectory(hf.path());
            case ModelSource.Hub h -> new WeightOrigin.HfDirectory(java.util.Objects.requireNonNull(hubDir, "hub dir"));
            case ModelSource.Synthetic s ->
                    new WeightOrigin.Synthetic("echo".equals(s.shape()) ? echoShape : s.shape(), s.seed());
        };
        SloTargets slo = new SloTargets(spec.slo().ttft().toNanos() / 1e9, spec.slo().tpot().toNanos() / 1e9);
        return new ModelFunction(spec.name(), source, slo, spec.scaling().minScale(), spec.scaling().idleToWarm(),
                spec.scaling().idleToCold());
    }

    @Override
    public synchronized void unregister(String function) {
        downloads.cancel(function);
        hubSpecs.remove(function);
        hubServed.remove(function);
        hubSources.remove(function);
        unusable.remove(function);
        pool.unregister(function);
    }

    @Override
    public EncodedPrompt encode(String function, Prompt prompt) throws BackendException {
        requireUsable(function);
        try {
            if (prompt instanceof Prompt.Tokens t) return new EncodedPrompt(checkedIds(t.ids(), pool.config(function).vocabSize()));
            TextTokenizer tokenizer = pool.tokenizer(function).orElseThrow(() ->
                    new BackendException.InvalidRequest("model '" + function + "' has no tokenizer, so it cannot take text prompts"));
            return switch (prompt) {
                case Prompt.Text t -> new EncodedPrompt(tokenizer.encode(t.text(), true));
                case Prompt.Tokens t -> throw new IllegalStateException("handled above");
                case Prompt.Chat c -> {
                    ChatTemplate template = pool.chatTemplate(function).orElseThrow(() ->
                            new BackendException.InvalidRequest("model '" + function + "' has no chat template; use /v1/completions"));
                    yield new EncodedPrompt(tokenizer.encode(render(template, c, true), false));
                }
            };
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        } catch (ChatTemplateException | TokenizerException | IllegalArgumentException e) {
            throw new BackendException.InvalidRequest(e.getMessage());
        }
    }

    /** The chat as its model's template writes it, the messages' extra fields and the tools included. */
    private static String render(ChatTemplate template, Prompt.Chat c, boolean addGenerationPrompt) {
        List<ChatMessage> messages = c.messages().stream().map(m -> new ChatMessage(m.role(), m.content(), m.templateFields())).toList();
        return template.render(messages, addGenerationPrompt, c.tools());
    }

    @Override
    public int[] tokenize(String function, Prompt prompt, boolean addSpecialTokens, boolean addGenerationPrompt)
            throws BackendException {
        requireUsable(function);
        try {
            TextTokenizer tokenizer = pool.tokenizer(function).orElseThrow(() ->
                    new BackendException.InvalidRequest("model '" + function + "' has no tokenizer"));
            return switch (prompt) {
                case Prompt.Text t -> tokenizer.encode(t.text(), addSpecialTokens);
                case Prompt.Tokens t -> throw new BackendException.InvalidRequest("prompt", "'prompt' must be text to tokenize.");
                case Prompt.Chat c -> {
                    ChatTemplate template = pool.chatTemplate(function).orElseThrow(() ->
                            new BackendException.InvalidRequest("model '" + function + "' has no chat template"));
                    yield tokenizer.encode(render(template, c, addGenerationPrompt), addSpecialTokens);
                }
            };
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        } catch (ChatTemplateException | TokenizerException | IllegalArgumentException e) {
            throw new BackendException.InvalidRequest(e.getMessage());
        }
    }

    @Override
    public String detokenize(String function, int[] ids) throws BackendException {
        requireUsable(function);
        try {
            TextTokenizer tokenizer = pool.tokenizer(function).orElseThrow(() ->
                    new BackendException.InvalidRequest("model '" + function + "' has no tokenizer"));
            checkedIds(ids, pool.config(function).vocabSize(), "tokens");
            return tokenizer.decode(ids, false);
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        } catch (TokenizerException | IllegalArgumentException e) {
            throw new BackendException.InvalidRequest(e.getMessage());
        }
    }

    /** Ids as the client sent them (no BOS added: OpenAI token prompts are taken verbatim), each inside the vocabulary. */
    private static int[] checkedIds(int[] ids, int vocabSize) throws BackendException.InvalidRequest {
        return checkedIds(ids, vocabSize, "prompt");
    }

    private static int[] checkedIds(int[] ids, int vocabSize, String param) throws BackendException.InvalidRequest {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize)
                throw new BackendException.InvalidRequest(param, "Invalid token id " + ids[i] + " at '" + param + "[" + i
                        + "]': this model's vocabulary has ids 0 to " + (vocabSize - 1) + ".");
        }
        return ids;
    }

    @Override
    public RequestHandle submit(String function, EncodedPrompt prompt, SamplingParams params, TokenListener listener)
            throws BackendException {
        requireUsable(function);
        try {
            return pool.submit(function, prompt.tokens(), params, new ListenerSink(listener));
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        } catch (IllegalArgumentException e) {
            throw new BackendException.InvalidRequest(e instanceof InvalidParameter p ? p.param() : null, e.getMessage());
        } catch (IllegalStateException e) {
            throw new BackendException.Unavailable(e.getMessage(), e);
        }
    }

    @Override
    public java.util.OptionalInt contextLength(String function) throws BackendException {
        requireUsable(function);
        try {
            return java.util.OptionalInt.of(pool.maxSequenceTokens(function));
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        }
    }

    @Override
    public FunctionStatus status(String function) throws BackendException.UnknownFunction {
        var downloading = downloads.progress(function);
        if (downloading.isPresent()) return FunctionStatus.downloading(downloading.get().done.get(), downloading.get().total.get());
        String reason = unusable.get(function);
        if (reason != null) return FunctionStatus.failed(reason);
        ModelStatus s;
        try {
            s = pool.status(function);
        } catch (NoSuchElementException e) {
            throw new BackendException.UnknownFunction(function);
        }
        FunctionState state = switch (s.state()) {
            case COLD -> FunctionState.COLD;
            case WARM -> FunctionState.WARM;
            case HOT -> FunctionState.HOT;
            case ACTIVE -> FunctionState.ACTIVE;
        };
        return new FunctionStatus(state, s.running(), s.waiting(), s.kvBlocksUsed(), s.kvBlocksTotal(), s.switches(),
                s.loadSeconds(), s.lastSwitch());
    }

    /** SLO attainment of the function's requests so far (the scheduler's ledger), if any finished. */
    public Optional<Double> sloAttainment(String function) {
        double a = pool.status(function).sloAttainment();
        return Double.isNaN(a) ? Optional.empty() : Optional.of(a);
    }

    /** The pool's device-time counters (busy, load and swap seconds, switches), monotonic since start. */
    public dev.aegaeon.worker.PoolStats poolStats() {
        return pool.stats();
    }

    @Override
    public void close() {
        downloads.close();
        pool.close();
    }

    /** Adapts the worker's sink to the platform's listener (same serial, non-blocking contract). */
    private record ListenerSink(TokenListener listener) implements TokenSink {
        @Override
        public void onToken(int index, int tokenId, String text, DecodedLogprobs logprobs) {
            listener.onToken(index, text, logprobs);
        }

        @Override
        public void onComplete(FinishReason reason, int promptTokens, int completionTokens) {
            listener.onComplete(reason, new Usage(promptTokens, completionTokens));
        }

        @Override
        public void onError(String message, Throwable cause) {
            listener.onError(new BackendException.Unavailable(message, cause));
        }
    }
}
