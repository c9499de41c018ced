package dev.aegaeon.runtime.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template from {@code tokenizer_config.json}, rendered the way transformers'
 * {@code apply_chat_template} renders it: Jinja with trim_blocks and lstrip_blocks, variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, optional
 * {@code tools}, and the globals {@code raise_exception} and {@code strftime_now}, with a Python
 * compatible {@code tojson} and Python {@code str} methods. Thread-safe: each render uses its own
 * interpreter.
 */
public final class ChatTemplate {

    public static final String CONFIG_FILE = "tokenizer_config.json";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** A runaway template is an error, not an OutOfMemoryError (a 128k-token prompt is ~1 MB). */
    static final long MAX_OUTPUT_CHARS = 64L << 20;

    static {
        NativeDefaults.apply();
    }

    private final String template;
    private final String jinjaSource;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = template;
        this.jinjaSource = PythonSyntax.rewrite(template);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.jinjava = newJinjava();
    }

    /** The template of {@code modelDir/tokenizer_config.json}; empty when the file or its chat_template is absent. */
    public static Optional<ChatTemplate> load(Path modelDir) {
        Path file = modelDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ChatTemplateException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ChatTemplateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ChatTemplateException(file + " must hold a JSON object");
        JsonNode t = root.get("chat_template");
        if (t == null || t.isNull()) return Optional.empty();
        return Optional.of(new ChatTemplate(templateText(file, t), tokenText(root.get("bos_token")),
                tokenText(root.get("eos_token"))));
    }

    /** A string, or HF's list of {name, template} where "default" (else the first) is the chat template. */
    private static String templateText(Path file, JsonNode t) {
        if (t.isTextual()) return t.textValue();
        if (t.isArray() && !t.isEmpty()) {
            JsonNode chosen = t.get(0);
            for (JsonNode entry : t) {
                if ("default".equals(entry.path("name").asText())) chosen = entry;
            }
            if (chosen.path("template").isTextual()) return chosen.path("template").textValue();
        }
        throw new ChatTemplateException(file + ": chat_template must be a string or a list of {name, template}");
    }

    /** bos_token / eos_token may be a string or an AddedToken object {"content": ...}. */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) return "";
        if (n.isTextual()) return n.textValue();
        return n.path("content").asText("");
    }

    public String template() { return template; }

    public String bosToken() { return bosToken; }

    public String eosToken() { return eosToken; }

    /** Renders plain role/content messages. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, List.of());
    }

    /** Renders messages with OpenAI's {@code tools} (plain maps), given to the template as {@code tools} when there are any. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<?> tools) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (ChatMessage m : messages) maps.add(m.toMap());
        return renderRaw(maps, addGenerationPrompt, tools.isEmpty() ? Map.of() : Map.of("tools", tools));
    }

    /**
     * Renders messages given as JSON-like maps (so tool_calls and other fields reach the
     * template), with extra variables such as {@code tools} or {@code date_string}.
     *
     * @throws ChatTemplateException with the template's own message when it calls raise_exception,
     *                               or Jinjava's message for a template error
     */
    public String renderRaw(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extra) {
        Map<String, Object> vars = new HashMap<>(extra);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(jinjaSource, vars);
        for (TemplateError e : result.getErrors()) {
            ChatTemplateException raised = raisedBy(e.getException());
            if (raised != null) throw raised;
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template failed at line " + e.getLineno() + ": " + e.getMessage());
            }
        }
        return result.getOutput();
    }

    private static ChatTemplateException raisedBy(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof ChatTemplateException c) return c;
        }
        return null;
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // Python Jinja2 semantics where Jinjava keeps old HubSpot behaviour by default:
                // {{- / -}} trim around expressions, loops over a
                // dict iterate its keys, null list items survive loops, printed lists and dicts
                // look like Python's (['a', 'b'], {'k': 1}).
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        // Jinjava's "natural" precedence would parse `not x is defined` as `(not x) is defined`
                .withUseNaturalOperatorPrecedence(false)
                        .withIterateOverMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withEvaluateMapKeys(false)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava j = new Jinjava(config);
        j.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", Object.class));
        j.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        j.registerFilter(new TemplateFunctions.ToJsonFilter());
        j.registerExpTest(new TemplateFunctions.IterableTest());
        return j;
    }

    /** JSON-like maps for {@link #renderRaw}: parses a JSON array of messages preserving key order. */
    public static List<Map<String, Object>> messagesFromJson(String json) {
        try {
            return MAPPER.readValue(json, MAPPER.getTypeFactory().constructCollectionType(List.class,
                    MAPPER.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class)));
        } catch (JacksonException e) {
            throw new ChatTemplateException("messages are not a JSON array of objects: " + e.getOriginalMessage(), e);
        }
    }
}
