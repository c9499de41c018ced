package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.ModelConfig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * Deterministic weights for any config without a file, scaled like a trained model's:
 * projections and embeddings uniform with standard deviation 0.02, norm gains 1 +/- 0.1, biases
 * of magnitude 0.005..0.03 with random sign (never zero, so bias bugs show).
 *
 * <p>Invariant: a tensor's bytes depend only on (seed, tensor name, dtype, shape), never on the
 * order or thread of access: each fixed-size chunk of a tensor has its own PRNG seeded from those.
 * Tensors are generated lazily, in parallel, into off-heap memory owned by this source and freed
 * by {@link #close()} (views handed out before become invalid then).
 */
public final class SyntheticWeights implements WeightSource {

    /** Elements per PRNG chunk; part of the determinism contract, so never change it casually. */
    static final int CHUNK = 1 << 16;
    static final double PROJECTION_STD = 0.02;

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelConfig config;
    private final long seed;
    private final DType dtype;
    private final Map<String, TensorSpec> specs;
    private final Map<String, WeightTensor> generated = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();
    private final String identity;

    public SyntheticWeights(ModelConfig config, long seed) { this(config, seed, DType.BF16); }

    public SyntheticWeights(ModelConfig config, long seed, DType dtype) {
        this.config = config;
        this.seed = seed;
        this.dtype = dtype;
        Map<String, TensorSpec> m = new LinkedHashMap<>();
        for (TensorSpec s : ModelTensors.of(config)) m.put(s.name(), s);
        this.specs = Collections.unmodifiableMap(m);
        this.identity = "synthetic:" + sha256(config + "|seed=" + seed + "|" + dtype);
    }

    public ModelConfig config() { return config; }

    public long seed() { return seed; }

    public DType dtype() { return dtype; }

    @Override
    public Set<String> names() { return specs.keySet(); }

    @Override
    public WeightTensor tensor(String name) {
        TensorSpec spec = specs.get(name);
        if (spec == null) throw new WeightFormatException(describe() + ": no tensor " + name);
        WeightTensor t = generated.get(name);
        if (t != null) return t;
        synchronized (spec) { // one generator per tensor; other tensors proceed in parallel
            return generated.computeIfAbsent(name, n -> generate(spec));
        }
    }

    /**
     * "synthetic:" and a SHA-256 of (config, seed, dtype): the bytes depend on no more than that
     * (class invariant), so equal identities mean equal tensors.
     */
    @Override
    public Optional<String> identity() { return Optional.of(identity); }

    @Override
    public String describe() {
        return "synthetic(" + config.architecture() + ", seed=" + seed + ", " + dtype + ")";
    }

    /** Bytes generated so far (off-heap). */
    public long generatedBytes() {
        return generated.values().stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    @Override
    public void close() {
        generated.clear();
        arena.close();
    }

    private WeightTensor generate(TensorSpec spec) {
        long n = spec.elementCount();
        MemorySegment data = arena.allocate(n * dtype.byteSize(), 64);
        long tensorSeed = seed * 0x9E3779B97F4A7C15L ^ fnv1a(spec.name());
        long chunks = (n + CHUNK - 1) / CHUNK;
        LongStream.range(0, chunks).parallel().forEach(c -> {
            SplittableRandom rnd = new SplittableRandom(mix(tensorSeed + c * 0xBF58476D1CE4E5B9L));
            int len = (int) Math.min(CHUNK, n - c * CHUNK);
            float[] values = new float[len];
            fill(values, spec.role(), rnd);
            store(values, data, c * CHUNK);
        });
        return new WeightTensor(spec.name(), dtype, spec.shape(), data);
    }

    /** Uniform floats from 24 random bits each: cheap, and plenty for synthetic weights. */
    private static void fill(float[] out, TensorRole role, SplittableRandom rnd) {
        switch (role) {
            case EMBEDDING, PROJECTION -> { // uniform on [-a, a] has std a/sqrt(3)
                float a = (float) (PROJECTION_STD * Math.sqrt(3));
                for (int i = 0; i < out.length; i++) out[i] = (unit(rnd.nextInt()) * 2 - 1) * a;
            }
            case NORM -> {
                for (int i = 0; i < out.length; i++) out[i] = 1f + (unit(rnd.nextInt()) * 2 - 1) * 0.1f;
            }
            case BIAS -> {
                for (int i = 0; i < out.length; i++) {
                    int bits = rnd.nextInt();
                    float magnitude = 0.005f + unit(bits) * 0.025f;
                    out[i] = (bits & 1) == 0 ? magnitude : -magnitude;
                }
            }
        }
    }

    private static float unit(int bits) { return (bits >>> 8) * 0x1.0p-24f; }

    private void store(float[] values, MemorySegment data, long firstElement) {
        switch (dtype) {
            case BF16 -> {
                short[] bits = new short[values.length];
                for (int i = 0; i < bits.length; i++) bits[i] = DType.floatToBf16(values[i]);
                MemorySegment.copy(bits, 0, data, SHORT_LE, firstElement * 2, bits.length);
            }
            case F16 -> {
                short[] bits = new short[values.length];
                for (int i = 0; i < bits.length; i++) bits[i] = Float.floatToFloat16(values[i]);
                MemorySegment.copy(bits, 0, data, SHORT_LE, firstElement * 2, bits.length);
            }
            case F32 -> MemorySegment.copy(values, 0, data, FLOAT_LE, firstElement * 4, values.length);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finalizer: decorrelates nearby seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
