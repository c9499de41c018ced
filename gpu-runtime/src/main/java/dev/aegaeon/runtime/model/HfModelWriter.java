package dev.aegaeon.runtime.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.ModelTensors;
import dev.aegaeon.runtime.weights.RequiredTensors;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import dev.aegaeon.runtime.weights.SafetensorsWriter;
import dev.aegaeon.runtime.weights.TensorSpec;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves a model as an HF directory that transformers' {@code from_pretrained} and our loaders
 * both open: config.json, generation_config.json, model.safetensors (or shards
 * {@code model-0000i-of-0000n.safetensors} with model.safetensors.index.json when over
 * {@link Options#maxShardBytes()}), and optionally the synthetic tokenizer files.
 */
public final class HfModelWriter {
    private HfModelWriter() {}

    /**
     * @param maxShardBytes  tensor bytes per safetensors file before splitting into shards
     * @param writeTokenizer also write {@link SyntheticTokenizer}'s tokenizer.json and tokenizer_config.json
     */
    public record Options(long maxShardBytes, boolean writeTokenizer) {
        public static final Options DEFAULT = new Options(5L << 30, true);

        public Options {
            if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive");
        }
    }

    public static void write(Path dir, ModelConfig config, WeightSource weights) {
        write(dir, config, weights, Options.DEFAULT);
    }

    /**
     * Writes the directory (created if absent; existing files of the same names are replaced).
     *
     * @throws dev.aegaeon.runtime.weights.WeightFormatException when the weights do not fit the config
     * @throws IllegalArgumentException when the tokenizer's ids do not fit the config's vocab
     */
    public static void write(Path dir, ModelConfig config, WeightSource weights, Options options) {
        RequiredTensors.check(config, weights);
        if (options.writeTokenizer() && config.vocabSize() < SyntheticTokenizer.VOCAB_SIZE) {
            throw new IllegalArgumentException("vocab_size " + config.vocabSize() + " is smaller than the synthetic tokenizer's "
                    + SyntheticTokenizer.VOCAB_SIZE + " ids");
        }
        List<WeightTensor> tensors = new ArrayList<>();
        for (TensorSpec spec : ModelTensors.of(config)) tensors.add(weights.tensor(spec.name()));
        DType dtype = tensors.getFirst().dtype();
        try {
            Files.createDirectories(dir);
            writeJson(dir.resolve(ModelConfigLoader.CONFIG_FILE), ConfigJson.config(config, dtype));
            writeJson(dir.resolve(GenerationConfig.FILE_NAME), ConfigJson.generationConfig(config));
            writeWeights(dir, tensors, options.maxShardBytes());
            if (options.writeTokenizer()) SyntheticTokenizer.write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeWeights(Path dir, List<WeightTensor> tensors, long maxShardBytes) throws IOException {
        List<List<WeightTensor>> shards = new ArrayList<>();
        List<WeightTensor> current = new ArrayList<>();
        long bytes = 0;
        for (WeightTensor t : tensors) {
            long size = t.data().byteSize();
            if (!current.isEmpty() && bytes + size > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += size;
        }
        shards.add(current);
        Map<String, String> meta = Map.of("format", "pt");
        Files.deleteIfExists(dir.resolve(SafetensorsDirectory.INDEX_FILE));
        Files.deleteIfExists(dir.resolve(SafetensorsDirectory.SINGLE_FILE));
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve(SafetensorsDirectory.SINGLE_FILE), shards.getFirst(), meta);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(i), meta);
            for (WeightTensor t : shards.get(i)) {
                weightMap.put(t.name(), name);
                total += t.data().byteSize();
            }
        }
        ObjectNode index = JsonFields.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        writeJson(dir.resolve(SafetensorsDirectory.INDEX_FILE), index);
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        JsonFields.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
    }
}
