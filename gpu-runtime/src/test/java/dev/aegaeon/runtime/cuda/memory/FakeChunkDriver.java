package dev.aegaeon.runtime.cuda.memory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A device of {@code deviceChunks} chunks that checks the driver's invariants instead of touching a GPU. */
final class FakeChunkDriver implements ChunkDriver {
    private final long chunkBytes;
    private final int deviceChunks;
    private int live;
    private int nextChunk;
    final Map<FakeReservation, Map<Long, FakeChunk>> mappings = new HashMap<>();
    final Set<FakeChunk> mappedChunks = new HashSet<>();
    /** Chunks mapped and not yet opened to kernels (nothing may use them). */
    final Set<FakeChunk> unopened = new HashSet<>();
    int creates, maps, opens, unmaps, destroys;

    FakeChunkDriver(long chunkBytes, int deviceChunks) {
        this.chunkBytes = chunkBytes;
        this.deviceChunks = deviceChunks;
    }

    record FakeReservation(int id, long bytes) implements Reservation {}

    record FakeChunk(int id) implements Chunk {}

    @Override public long chunkBytes() { return chunkBytes; }

    @Override
    public Reservation reserve(long bytes) {
        if (bytes % chunkBytes != 0) throw new AssertionError("reserving " + bytes + " bytes, not whole chunks");
        FakeReservation r = new FakeReservation(mappings.size(), bytes);
        mappings.put(r, new HashMap<>());
        return r;
    }

    /** Addresses no kernel will see: offsets from a null base, each reservation 1 TiB apart. */
    @Override
    public jcuda.driver.CUdeviceptr address(Reservation reservation, long offset) {
        return new jcuda.driver.CUdeviceptr().withByteOffset(((FakeReservation) reservation).id() * (1L << 40) + offset);
    }

    @Override
    public void unreserve(Reservation reservation) {
        Map<Long, FakeChunk> m = mappings.remove((FakeReservation) reservation);
        if (m == null) throw new AssertionError("unreserving twice");
        if (!m.isEmpty()) throw new AssertionError("unreserving with " + m.size() + " chunks mapped");
    }

    @Override
    public Optional<Chunk> create() {
        if (live >= deviceChunks) return Optional.empty();
        live++;
        creates++;
        return Optional.of(new FakeChunk(nextChunk++));
    }

    @Override
    public void map(Reservation reservation, long offset, Chunk chunk) {
        if (offset % chunkBytes != 0 || offset < 0 || offset >= reservation.bytes()) throw new AssertionError("mapping at " + offset);
        if (!mappedChunks.add((FakeChunk) chunk)) throw new AssertionError(chunk + " is mapped twice");
        if (mappings.get((FakeReservation) reservation).put(offset, (FakeChunk) chunk) != null) {
            throw new AssertionError("offset " + offset + " mapped twice");
        }
        unopened.add((FakeChunk) chunk);
        maps++;
    }

    @Override
    public void open(Reservation reservation, long offset, long bytes) {
        if (offset % chunkBytes != 0 || bytes <= 0 || bytes % chunkBytes != 0) throw new AssertionError("opening [" + offset + ", +" + bytes + ")");
        Map<Long, FakeChunk> m = mappings.get((FakeReservation) reservation);
        for (long at = offset; at < offset + bytes; at += chunkBytes) {
            FakeChunk c = m.get(at);
            if (c == null) throw new AssertionError("opening " + at + ", which is not mapped");
            unopened.remove(c);
        }
        opens++;
    }

    @Override
    public void unmap(Reservation reservation, long offset) {
        FakeChunk c = mappings.get((FakeReservation) reservation).remove(offset);
        if (c == null) throw new AssertionError("unmapping " + offset + ", which is not mapped");
        mappedChunks.remove(c);
        unopened.remove(c);
        unmaps++;
    }

    @Override
    public void destroy(Chunk chunk) {
        if (mappedChunks.contains((FakeChunk) chunk)) throw new AssertionError("destroying a mapped chunk");
        live--;
        destroys++;
    }

    /** Offsets mapped in {@code r} now. */
    Set<Long> mapped(Reservation r) { return mappings.get((FakeReservation) r).keySet(); }

    int liveChunks() { return live; }
}
