package dev.aegaeon.runtime.weights;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The weights of an HF model directory: either a single {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json} ({@code weight_map}: tensor name -> shard file).
 * Every shard is memory-mapped on open and checked: a missing shard, a shard outside the
 * directory, or a tensor the index promises but its shard lacks is a {@link WeightFormatException}.
 */
public final class SafetensorsDirectory implements WeightSource {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> owner;
    private final Optional<String> identity;

    private SafetensorsDirectory(Path dir, List<SafetensorsFile> shards, Map<String, SafetensorsFile> owner) {
        this.dir = dir;
        this.shards = shards;
        this.owner = owner;
        this.identity = identityOf(dir, shards);
    }

    /**
     * The real path and each shard's name, size and modification time, taken when opened: a second
     * open of the unchanged directory (through any link) gets the same identity, a rewritten shard
     * another one. Empty when the file system cannot say.
     */
    private static Optional<String> identityOf(Path dir, List<SafetensorsFile> shards) {
        try {
            StringBuilder id = new StringBuilder("safetensors:").append(dir.toRealPath());
            for (SafetensorsFile f : shards) {
                id.append('|').append(f.path().getFileName()).append(':').append(Files.size(f.path()))
                        .append(':').append(Files.getLastModifiedTime(f.path()).toInstant());
            }
            return Optional.of(id.toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static SafetensorsDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new WeightFormatException(dir + ": model directory does not exist or is not a directory");
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) return openSharded(dir, index);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            for (String n : f.names()) owner.put(n, f);
            return new SafetensorsDirectory(dir, List.of(f), Collections.unmodifiableMap(owner));
        }
        throw new WeightFormatException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE
                + " (only safetensors weights are supported)");
    }

    private static SafetensorsDirectory openSharded(Path dir, Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        Path base = dir.toAbsolutePath().normalize();
        try {
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            for (var e : weightMap.entrySet()) {
                String tensor = e.getKey(), shardName = e.getValue();
                SafetensorsFile shard = byFile.get(shardName);
                if (shard == null) {
                    Path shardPath = base.resolve(shardName).normalize();
                    if (!base.equals(shardPath.getParent())) {
                        throw new WeightFormatException(index + ": shard \"" + shardName + "\" of tensor " + tensor
                                + " is not a file name inside the model directory");
                    }
                    if (!Files.isRegularFile(shardPath)) {
                        throw new WeightFormatException(index + ": tensor " + tensor + " is mapped to shard "
                                + shardName + ", which does not exist in " + dir);
                    }
                    shard = SafetensorsFile.open(shardPath);
                    byFile.put(shardName, shard);
                }
                if (!shard.has(tensor)) {
                    throw new WeightFormatException(index + ": tensor " + tensor + " is mapped to shard "
                            + shardName + ", but " + shard.path() + " has no such tensor");
                }
                owner.put(tensor, shard);
            }
            return new SafetensorsDirectory(dir, List.copyOf(byFile.values()), Collections.unmodifiableMap(owner));
        } catch (RuntimeException e) {
            byFile.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(Files.readAllBytes(index));
        } catch (JacksonException e) {
            throw new WeightFormatException(index + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WeightFormatException(index + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new WeightFormatException(index + ": missing \"weight_map\" object");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new WeightFormatException(index + ": weight_map entry for tensor " + e.getKey() + " must be a file name");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        if (out.isEmpty()) throw new WeightFormatException(index + ": weight_map is empty");
        return out;
    }

    public Path directory() { return dir; }

    /** The opened files, in first-use order. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile f : shards) out.add(f.path());
        return out;
    }

    @Override
    public Set<String> names() { return owner.keySet(); }

    @Override
    public WeightTensor tensor(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) throw new WeightFormatException(dir + ": no tensor " + name + " in " + files());
        return f.tensor(name);
    }

    @Override
    public Optional<String> identity() { return identity; }

    @Override
    public String describe() { return dir.toString(); }

    @Override
    public void close() {
        for (SafetensorsFile f : shards) f.close();
    }
}
