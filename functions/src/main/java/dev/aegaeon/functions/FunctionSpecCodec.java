package dev.aegaeon.functions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads and writes {@link FunctionSpec}s as YAML or JSON. Both forms go through one tree of maps,
 * so they accept the same fields and give the same errors. Unknown fields are errors (a typo must
 * not silently fall back to a default); omitted sections take their defaults.
 */
public final class FunctionSpecCodec {
    private FunctionSpecCodec() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DOCUMENT_CHARS = 1 << 20;

    public static FunctionSpec parseYaml(String text) {
        if (text == null || text.length() > MAX_DOCUMENT_CHARS)
            throw new SpecValidationException("(document)", "must be a YAML document under 1 MiB");
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        Object tree;
        try {
            tree = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new SpecValidationException("(document)", "must be valid YAML: " + firstLine(e.getMessage()));
        }
        return fromTree(tree);
    }

    public static FunctionSpec parseJson(String text) {
        if (text == null || text.length() > MAX_DOCUMENT_CHARS)
            throw new SpecValidationException("(document)", "must be a JSON document under 1 MiB");
        Object tree;
        try {
            tree = JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new SpecValidationException("(document)", "must be valid JSON: " + firstLine(e.getOriginalMessage()));
        }
        return fromTree(tree);
    }

    /** Parses by file extension: {@code .json} as JSON, {@code .yaml}/{@code .yml} as YAML. */
    public static FunctionSpec read(Path file) throws IOException {
        String text = Files.readString(file);
        return file.getFileName().toString().endsWith(".json") ? parseJson(text) : parseYaml(text);
    }

    /** Every {@code *.yaml}, {@code *.yml} and {@code *.json} spec in a directory, sorted by file name. */
    public static List<FunctionSpec> readDirectory(Path dir) throws IOException {
        List<FunctionSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(FunctionSpecCodec::isSpecFile).sorted().toList()) {
                try {
                    specs.add(read(f));
                } catch (SpecValidationException e) {
                    throw new SpecValidationException(f.getFileName() + ": " + e.field(), e.rule());
                }
            }
        }
        return specs;
    }

    private static boolean isSpecFile(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }

    public static String toJson(FunctionSpec spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
    }

    /** The spec as plain maps (the JSON/YAML shape), with every default written out. */
    public static Map<String, Object> toTree(FunctionSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", spec.name());
        m.put("model", switch (spec.model()) {
            case ModelSource.HfDirectory hf -> Map.of("path", hf.path().toString());
            case ModelSource.Hub h -> ordered("hub", h.repo(), "revision", h.revision());
            case ModelSource.Synthetic s -> Map.of("synthetic", ordered(
                    "shape", s.shape(), "seed", s.seed(), "tokenInterval", Durations.format(s.tokenInterval())));
        });
        m.put("slo", ordered("ttft", Durations.format(spec.slo().ttft()), "tpot", Durations.format(spec.slo().tpot())));
        m.put("scaling", ordered("minScale", spec.scaling().minScale(),
                "idleToWarm", Durations.format(spec.scaling().idleToWarm()),
                "idleToCold", Durations.format(spec.scaling().idleToCold())));
        m.put("limits", ordered("maxPromptTokens", spec.limits().maxPromptTokens(),
                "maxOutputTokens", spec.limits().maxOutputTokens(),
                "maxConcurrent", spec.limits().maxConcurrent(),
                "maxQueued", spec.limits().maxQueued()));
        spec.apiKey().ifPresent(k -> m.put("apiKey", k));
        return m;
    }

    public static FunctionSpec fromTree(Object tree) {
        Fields root = Fields.of(tree, "(document)");
        root.only(Set.of("name", "model", "slo", "scaling", "limits", "apiKey"));
        String name = root.requiredString("name");
        ModelSource model = model(root.requiredSection("model"));
        Slo slo = root.section("slo").map(s -> {
            s.only(Set.of("ttft", "tpot"));
            return new Slo(s.duration("ttft", Slo.DEFAULT.ttft()), s.duration("tpot", Slo.DEFAULT.tpot()));
        }).orElse(Slo.DEFAULT);
        Scaling scaling = root.section("scaling").map(s -> {
            s.only(Set.of("minScale", "idleToWarm", "idleToCold"));
            return new Scaling(s.integer("minScale", Scaling.DEFAULT.minScale()),
                    s.duration("idleToWarm", Scaling.DEFAULT.idleToWarm()),
                    s.duration("idleToCold", Scaling.DEFAULT.idleToCold()));
        }).orElse(Scaling.DEFAULT);
        Limits limits = root.section("limits").map(s -> {
            s.only(Set.of("maxPromptTokens", "maxOutputTokens", "maxConcurrent", "maxQueued"));
            Limits d = Limits.DEFAULT;
            return new Limits(s.integer("maxPromptTokens", d.maxPromptTokens()),
                    s.integer("maxOutputTokens", d.maxOutputTokens()),
                    s.integer("maxConcurrent", d.maxConcurrent()),
                    s.integer("maxQueued", d.maxQueued()));
        }).orElse(Limits.DEFAULT);
        Optional<String> apiKey = root.optionalString("apiKey");
        return new FunctionSpec(name, model, slo, scaling, limits, apiKey);
    }

    private static ModelSource model(Fields m) {
        m.only(Set.of("path", "synthetic", "hub", "revision"));
        Optional<String> path = m.optionalString("path");
        Optional<Fields> synthetic = m.section("synthetic");
        Optional<String> hub = m.optionalString("hub");
        Optional<String> revision = m.optionalString("revision");
        int kinds = (path.isPresent() ? 1 : 0) + (synthetic.isPresent() ? 1 : 0) + (hub.isPresent() ? 1 : 0);
        if (kinds != 1)
            throw new SpecValidationException("model", "must have exactly one of 'path' (a Hugging Face model directory), "
                    + "'hub' (a Hugging Face Hub repository id) or 'synthetic'");
        if (revision.isPresent() && hub.isEmpty())
            throw new SpecValidationException("model.revision", "is only allowed with 'hub'");
        if (hub.isPresent()) {
            try {
                new ModelSource.Hub(hub.get(), ModelSource.Hub.DEFAULT_REVISION);
            } catch (IllegalArgumentException e) {
                throw new SpecValidationException("model.hub", e.getMessage());
            }
            try {
                return new ModelSource.Hub(hub.get(), revision.orElse(ModelSource.Hub.DEFAULT_REVISION));
            } catch (IllegalArgumentException e) {
                throw new SpecValidationException("model.revision", e.getMessage());
            }
        }
        if (path.isPresent()) {
            if (path.get().isBlank()) throw new SpecValidationException("model.path", "must not be blank");
            try {
                return new ModelSource.HfDirectory(Path.of(path.get()));
            } catch (java.nio.file.InvalidPathException e) {
                // A NUL byte or a name the file system cannot hold: the client's mistake, not a server fault.
                throw new SpecValidationException("model.path", "is not a valid file system path");
            }
        }
        Fields s = synthetic.get();
        s.only(Set.of("shape", "seed", "tokenInterval"));
        return new ModelSource.Synthetic(s.optionalString("shape").orElse("echo"), s.longValue("seed", 0L),
                s.duration("tokenInterval", ModelSource.Synthetic.DEFAULT_TOKEN_INTERVAL));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
