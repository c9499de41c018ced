package dev.aegaeon.runtime.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes, so tests can corrupt any part of the format. */
final class SafetensorsFixtures {
    private SafetensorsFixtures() {}

    /** Writes {@code [len][headerJson][data]} with {@code len} = the header's real length. */
    static Path write(Path file, String headerJson, byte[] data) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return writeRaw(file, header.length, header, data);
    }

    /** Writes {@code [declaredLength][header][data]}; the length may lie. */
    static Path writeRaw(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(declaredLength).put(header).put(data);
        Files.write(file, buf.array());
        return file;
    }

    /** Little-endian float32 bytes. */
    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }
}
