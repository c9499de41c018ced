package dev.aegaeon.runtime.weights;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as one safetensors file the way the reference implementation does: header
 * padded with spaces to a multiple of 8 bytes, tensors back to back in the given order. Tensor
 * bytes are streamed from their segments in bounded chunks, never gathered on the heap.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final long CHUNK = 64L << 20;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    public static void write(Path file, List<WeightTensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (WeightTensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            ArrayNode offsets = e.putArray("data_offsets");
            offsets.add(offset);
            offset += t.data().byteSize();
            offsets.add(offset);
        }
        byte[] json = MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            for (WeightTensor t : tensors) {
                MemorySegment data = t.data();
                for (long pos = 0; pos < data.byteSize(); pos += CHUNK) {
                    writeFully(ch, data.asSlice(pos, Math.min(CHUNK, data.byteSize() - pos)).asByteBuffer());
                }
            }
        }
    }

    /** Bytes the file for these tensors will take, header excluded. */
    static long dataBytes(List<WeightTensor> tensors) {
        return tensors.stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

}
