package dev.aegaeon.runtime.weights;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated JSON header of a safetensors file: for each tensor its dtype, shape and byte
 * range relative to the data section. Validation is complete, so slicing the data section by
 * these ranges can never go out of bounds.
 */
record SafetensorsHeader(Map<String, Entry> tensors, Map<String, String> metadata) {

    /** Same limit as the reference implementation: larger headers are corrupt, not big. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Element sizes of every dtype the safetensors format defines. Tensors of a defined dtype we
     * cannot compute with (e.g. I64 buffers, FP8) are still validated and listed, so a file that
     * merely carries one opens; only reading such a tensor fails.
     */
    static final Map<String, Integer> FORMAT_DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E4M3", 1),
            Map.entry("F8_E5M2", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    /** @param dtype the runtime type, or null when {@code dtypeName} is a format type we do not support */
    record Entry(String name, String dtypeName, DType dtype, long[] shape, long begin, long end) {
        long byteSize() { return end - begin; }
    }

    /**
     * @param file        for messages
     * @param headerBytes the UTF-8 JSON header
     * @param dataSize    bytes after the header
     */
    static SafetensorsHeader parse(String file, byte[] headerBytes, long dataSize) {
        JsonNode root;
        try {
            root = MAPPER.readTree(headerBytes);
        } catch (JacksonException e) {
            throw new WeightFormatException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new WeightFormatException(file + ": cannot read safetensors header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightFormatException(file + ": safetensors header must be a JSON object");
        }
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var field : root.properties()) {
            String name = field.getKey();
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                tensors.put(name, entry(file, name, field.getValue(), dataSize));
            }
        }
        checkNoOverlap(file, tensors.values());
        return new SafetensorsHeader(tensors, metadata);
    }

    private static void readMetadata(String file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) throw new WeightFormatException(file + ": __metadata__ must be an object of strings");
        for (var e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new WeightFormatException(file + ": __metadata__ value for \"" + e.getKey() + "\" must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry entry(String file, String name, JsonNode node, long dataSize) {
        String where = file + ": tensor " + name;
        if (!node.isObject()) throw new WeightFormatException(where + ": header entry must be an object");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw new WeightFormatException(where + ": missing \"dtype\"");
        String dtypeName = dtypeNode.textValue();
        Integer elementBytes = FORMAT_DTYPE_BYTES.get(dtypeName);
        if (elementBytes == null) {
            throw new WeightFormatException(where + ": unknown dtype \"" + dtypeName + "\" (the runtime reads "
                    + Arrays.toString(DType.values()) + ")");
        }
        DType dtype = DType.fromSafetensors(dtypeName).orElse(null);
        long[] shape = longs(where, node.get("shape"), "shape", -1);
        long[] offsets = longs(where, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0], end = offsets[1];
        if (begin > end) {
            throw new WeightFormatException(where + ": data_offsets [" + begin + ", " + end + "] are reversed");
        }
        if (end > dataSize) {
            throw new WeightFormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] reach beyond the data section of " + dataSize + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(WeightTensor.elementCount(shape), elementBytes);
        } catch (ArithmeticException e) {
            throw new WeightFormatException(where + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (expected != end - begin) {
            throw new WeightFormatException(where + ": holds " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " x " + dtypeName + " needs " + expected);
        }
        return new Entry(name, dtypeName, dtype, shape, begin, end);
    }

    private static long[] longs(String where, JsonNode node, String field, int requiredLength) {
        if (node == null || !node.isArray()) throw new WeightFormatException(where + ": missing or non-list \"" + field + "\"");
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw new WeightFormatException(where + ": \"" + field + "\" must have " + requiredLength + " entries");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new WeightFormatException(where + ": \"" + field + "\" must hold non-negative integers, got " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkNoOverlap(String file, java.util.Collection<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.removeIf(e -> e.byteSize() == 0);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1), cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new WeightFormatException(file + ": tensor " + cur.name() + " (bytes " + cur.begin() + ".." + cur.end()
                        + ") overlaps tensor " + prev.name() + " (bytes " + prev.begin() + ".." + prev.end() + ")");
            }
        }
    }
}
