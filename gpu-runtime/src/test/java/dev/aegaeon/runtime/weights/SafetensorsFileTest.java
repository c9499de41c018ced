package dev.aegaeon.runtime.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.aegaeon.runtime.weights.SafetensorsFixtures.f32;
import static dev.aegaeon.runtime.weights.SafetensorsFixtures.write;
import static dev.aegaeon.runtime.weights.SafetensorsFixtures.writeRaw;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsFileTest {

    @TempDir Path dir;

    @Test
    void readsAFileLaidOutLikeThePythonLibraryWritesIt() throws Exception {
        // What safetensors.torch.save_file writes for {"b": bf16 [2], "a": f32 [2, 2]}: metadata
        // first, tensors sorted by dtype size then name, header padded with spaces to 8 bytes.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]}}";
        header = header + " ".repeat((8 - header.length() % 8) % 8);
        ByteBuffer data = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(-2f).putFloat(0.5f).putFloat(3.25f);
        data.putShort(DType.floatToBf16(1.5f)).putShort(DType.floatToBf16(-0.125f));
        Path file = write(dir.resolve("m.safetensors"), header, data.array());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            WeightTensor a = f.tensor("a");
            assertEquals(DType.F32, a.dtype());
            assertArrayEquals(new long[] {2, 2}, a.shape());
            assertEquals(List.of(1f, -2f, 0.5f, 3.25f), List.of(a.getFloat(0), a.getFloat(1), a.getFloat(2), a.getFloat(3)));
            WeightTensor b = f.tensor("b");
            assertEquals(1.5f, b.getFloat(0));
            assertEquals(-0.125f, b.getFloat(1));
            assertTrue(a.data().isMapped(), "tensor bytes are a view of the mapping, not a heap copy");
            assertTrue(f.names().containsAll(List.of("a", "b")));
            assertFalse(f.has("__metadata__"));
        }
    }

    @Test
    void writerRoundTripsEveryDtype() throws Exception {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg32 = arena.allocate(12);
            var seg16 = arena.allocate(6);
            var segbf = arena.allocate(6);
            float[] v = {0.1f, -7.5f, 65504f};
            for (int i = 0; i < 3; i++) {
                seg32.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 4L, v[i]);
                seg16.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 2L, Float.floatToFloat16(v[i]));
                segbf.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 2L, DType.floatToBf16(v[i]));
            }
            List<WeightTensor> ts = List.of(new WeightTensor("x.f32", DType.F32, new long[] {3}, seg32),
                    new WeightTensor("x.f16", DType.F16, new long[] {1, 3}, seg16),
                    new WeightTensor("x.bf16", DType.BF16, new long[] {3, 1}, segbf));
            Path file = dir.resolve("rt.safetensors");
            SafetensorsWriter.write(file, ts, Map.of("format", "pt"));
            byte[] raw = Files.readAllBytes(file);
            long headerLen = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLen % 8, "header padded to 8 bytes like the reference writer");
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (WeightTensor t : ts) {
                    WeightTensor r = f.tensor(t.name());
                    assertEquals(t.dtype(), r.dtype());
                    assertArrayEquals(t.shape(), r.shape());
                    assertEquals(-1, t.data().mismatch(r.data()), t.name());
                }
                assertEquals(65504f, f.tensor("x.f16").getFloat(2));
            }
        }
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws Exception {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertError(file, "too short");
    }

    @Test
    void missingFile() {
        assertError(dir.resolve("absent.safetensors"), "does not exist");
    }

    @Test
    void headerLengthBeyondTheFile() throws Exception {
        byte[] header = "{}".getBytes();
        assertError(writeRaw(dir.resolve("a.safetensors"), 1_000, header, new byte[0]), "beyond the file size");
        assertError(writeRaw(dir.resolve("b.safetensors"), Long.MAX_VALUE, header, new byte[0]), "beyond the file size");
        assertError(writeRaw(dir.resolve("c.safetensors"), -1L, header, new byte[0]), "beyond the file size");
        assertError(writeRaw(dir.resolve("d.safetensors"), 0L, header, new byte[0]), "beyond the file size");
    }

    @Test
    void absurdHeaderInsideAHugeSparseFileIsRefusedWithoutAllocating() throws Exception {
        Path file = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(3L << 30); // sparse: costs no disk
            raf.seek(0);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(2L << 30).array());
        }
        assertError(file, "exceeds the 100000000-byte limit");
    }

    @Test
    void headerNotJson() throws Exception {
        assertError(write(dir.resolve("x.safetensors"), "{\"a\": {\"dtype\": ", new byte[0]), "not valid JSON");
        assertError(write(dir.resolve("y.safetensors"), "[1, 2]", new byte[0]), "must be a JSON object");
        assertError(write(dir.resolve("z.safetensors"), "\u0000\u0001garbage", new byte[0]), "not valid JSON");
    }

    @Test
    void duplicateTensorNamesAreRefused() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertError(write(dir.resolve("dup.safetensors"), h, f32(1, 2)), "not valid JSON", "w");
    }

    @Test
    void offsetsOutOfRange() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        assertError(write(dir.resolve("oor.safetensors"), h, f32(1, 2)), "tensor w", "beyond the data section");
    }

    @Test
    void offsetsReversed() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}";
        assertError(write(dir.resolve("rev.safetensors"), h, f32(1, 2)), "tensor w", "reversed");
    }

    @Test
    void offsetsNegativeOrMalformed() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}";
        assertError(write(dir.resolve("neg.safetensors"), h, f32(1)), "tensor w", "non-negative");
        String h2 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}";
        assertError(write(dir.resolve("one.safetensors"), h2, f32(1)), "tensor w", "data_offsets");
    }

    @Test
    void offsetsOverlapping() throws Exception {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertError(write(dir.resolve("ovl.safetensors"), h, f32(1, 2, 3)), "tensor b", "overlaps tensor a");
    }

    @Test
    void byteSizeNotMatchingShapeTimesDtype() throws Exception {
        String h = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("size.safetensors"), h, f32(1, 2)), "tensor w", "holds 8 bytes", "needs 6");
    }

    @Test
    void shapeWhoseSizeOverflows() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("ovf.safetensors"), h, f32(1, 2)), "tensor w", "too large");
    }

    @Test
    void unknownDtype() throws Exception {
        String h = "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[8],\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("dt.safetensors"), h, f32(1, 2)), "tensor w", "unknown dtype \"Q4_K\"", "BF16");
    }

    @Test
    void formatDtypeTheRuntimeCannotReadFailsOnlyWhenRead() throws Exception {
        // An I64 buffer beside a float tensor: the file opens, the float tensor reads, the buffer
        // is listed but reading it names its dtype. Its size is still validated (8 bytes each).
        String h = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path file = write(dir.resolve("i64.safetensors"), h, f32(0, 0, 4));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(4f, f.tensor("w").getFloat(0));
            assertTrue(f.has("ids"));
            var e = assertThrows(WeightFormatException.class, () -> f.tensor("ids"));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("tensor ids")
                    && e.getMessage().contains("I64"), e.getMessage());
        }
        String bad = "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("f8.safetensors"), bad, f32(1, 2)), "tensor q", "holds 8 bytes", "F8_E4M3 needs 4");
    }

    @Test
    void missingHeaderFields() throws Exception {
        String h = "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("nodt.safetensors"), h, f32(1, 2)), "tensor w", "dtype");
        String h2 = "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}";
        assertError(write(dir.resolve("noshape.safetensors"), h2, f32(1, 2)), "tensor w", "shape");
    }

    @Test
    void absentTensorNamesTheFile() throws Exception {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path file = write(dir.resolve("ok.safetensors"), h, f32(1));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            var e = assertThrows(WeightFormatException.class, () -> f.tensor("v"));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("v"), e.getMessage());
        }
    }

    private static void assertError(Path file, String... fragments) {
        var e = assertThrows(WeightFormatException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "mentions '" + f + "': " + e.getMessage());
    }
}
