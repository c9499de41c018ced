package dev.aegaeon.runtime.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One safetensors file, memory-mapped read-only: tensors are slices of the mapping, never copies
 * on the Java heap. Layout: 8-byte little-endian header length N, N bytes of JSON header, then
 * the data section that header offsets are relative to. The whole header is validated on open
 * (see {@link SafetensorsHeader}); afterwards no access can go out of bounds. The mapping lives
 * until {@link #close()}.
 */
public final class SafetensorsFile implements WeightSource {

    private final Path path;
    private final Arena arena;
    private final Map<String, WeightTensor> tensors;
    /** Tensors of a format dtype the runtime does not compute with: name -> dtype. */
    private final Map<String, String> unsupported;
    private final Set<String> names;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, WeightTensor> tensors, Map<String, String> unsupported,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.unsupported = unsupported;
        Set<String> all = new java.util.LinkedHashSet<>(tensors.keySet());
        all.addAll(unsupported.keySet());
        this.names = Collections.unmodifiableSet(all);
        this.metadata = metadata;
    }

    /** @throws WeightFormatException naming the file (and tensor) for any missing, unreadable or corrupt input */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new WeightFormatException(path + ": " + size + " bytes is too short for a safetensors file");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, path);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > size - 8) {
                throw new WeightFormatException(path + ": header length " + Long.toUnsignedString(headerLen)
                        + " is beyond the file size of " + size + " bytes");
            }
            if (headerLen > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new WeightFormatException(path + ": header length " + headerLen + " exceeds the "
                        + SafetensorsHeader.MAX_HEADER_BYTES + "-byte limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8, path);
            long dataStart = 8 + headerLen;
            SafetensorsHeader parsed = SafetensorsHeader.parse(path.toString(), header.array(), size - dataStart);
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Map<String, WeightTensor> out = new LinkedHashMap<>();
            Map<String, String> unsupported = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry e : parsed.tensors().values()) {
                if (e.dtype() == null) {
                    unsupported.put(e.name(), e.dtypeName());
                    continue;
                }
                MemorySegment slice = mapped.asSlice(dataStart + e.begin(), e.byteSize());
                out.put(e.name(), new WeightTensor(e.name(), e.dtype(), e.shape(), slice));
            }
            return new SafetensorsFile(path, arena, Collections.unmodifiableMap(out),
                    Collections.unmodifiableMap(unsupported), parsed.metadata());
        } catch (NoSuchFileException e) {
            arena.close();
            throw new WeightFormatException(path + ": file does not exist", e);
        } catch (IOException e) {
            arena.close();
            throw new WeightFormatException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new WeightFormatException(path + ": file ends inside the header");
            pos += n;
        }
    }

    public Path path() { return path; }

    /** The header's optional {@code __metadata__} string map (e.g. {"format": "pt"}). */
    public Map<String, String> metadata() { return metadata; }

    /** Every tensor in the file, including those of a dtype {@link #tensor} cannot return. */
    @Override
    public Set<String> names() { return names; }

    /**
     * @throws WeightFormatException when absent, or when stored in a dtype the runtime does not
     *                               support (e.g. F8_E4M3, I64), naming the file, tensor and dtype
     */
    @Override
    public WeightTensor tensor(String name) {
        WeightTensor t = tensors.get(name);
        if (t != null) return t;
        String dtype = unsupported.get(name);
        if (dtype != null) {
            throw new WeightFormatException(path + ": tensor " + name + " is stored as " + dtype
                    + ", which the runtime does not support (it reads " + java.util.Arrays.toString(DType.values()) + ")");
        }
        throw new WeightFormatException(path + ": no tensor " + name);
    }

    @Override
    public String describe() { return path.toString(); }

    @Override
    public void close() { arena.close(); }
}
