package dev.aegaeon.platform.kafka;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ids of invocations whose result record the broker has acknowledged, so a redelivered invocation
 * (consumer crash before its offset commit, a producer retry upstream) is not run again. Kept in
 * memory (the most recent {@code capacity} ids) and appended to a file that is replayed on start,
 * so idempotency survives a platform restart. The file is compacted when it grows to 4x capacity.
 *
 * <p>Ids are arbitrary text (a record key may hold a newline), so each line holds one id as
 * {@code b64:} plus its URL-safe Base64 UTF-8 bytes; a line without that prefix is an id written
 * verbatim by an older version and read as is.
 */
public final class ResultLedger implements AutoCloseable {
    private static final String PREFIX = "b64:";
    private final int capacity;
    private final Path file;
    private final Map<String, Boolean> recent;
    private BufferedWriter out;
    private long linesInFile;

    public ResultLedger(Path file, int capacity) throws IOException {
        this.capacity = capacity;
        this.file = file;
        this.recent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > ResultLedger.this.capacity;
            }
        };
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String l : lines) if (!l.isBlank()) recent.put(decode(l), Boolean.TRUE);
            linesInFile = lines.size();
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public synchronized boolean contains(String id) {
        return recent.containsKey(id);
    }

    /** Records an answered invocation; the line reaches the OS before this returns (survives a process crash). */
    public synchronized void add(String id) throws IOException {
        if (recent.put(id, Boolean.TRUE) != null) return;
        out.write(encode(id));
        out.newLine();
        out.flush();
        if (++linesInFile > 4L * capacity) compact();
    }

    private void compact() throws IOException {
        out.close();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, recent.keySet().stream().map(ResultLedger::encode).toList(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        linesInFile = recent.size();
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String encode(String id) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String line) {
        if (!line.startsWith(PREFIX)) return line;
        try {
            return new String(Base64.getUrlDecoder().decode(line.substring(PREFIX.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return line; // not ours: keep it verbatim, it can only suppress its own exact text
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
