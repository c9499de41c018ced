package dev.aegaeon.platform.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionSpecCodec;
import dev.aegaeon.functions.SpecValidationException;

/**
 * Function registrations on disk, one JSON file per function ({@code <name>.json}) in one
 * directory. A write goes to a temporary file in the same directory, is fsynced, atomically
 * renamed over the old file and the directory is fsynced: after {@link #save} returns, the new
 * spec survives a crash, and a crash during the write leaves the previous version intact.
 * Leftover temporary files from a crash are removed when the store opens.
 */
public final class RegistrationStore {
    private static final Logger LOG = Logger.getLogger(RegistrationStore.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;

    public RegistrationStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(TEMP_SUFFIX)).toList()) Files.deleteIfExists(p);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Durably writes (creates or replaces) one registration. */
    public synchronized void save(FunctionSpec spec) throws IOException {
        Path target = dir.resolve(spec.name() + SUFFIX);
        Path temp = Files.createTempFile(dir, spec.name() + ".", TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(FunctionSpecCodec.toJson(spec).getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) ch.write(bytes);
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the data directory " + dir + " does not support atomic renames", e);
            }
            syncDirectory();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Durably removes a registration; false if there was none. */
    public synchronized boolean delete(String name) throws IOException {
        boolean existed = Files.deleteIfExists(dir.resolve(name + SUFFIX));
        if (existed) syncDirectory();
        return existed;
    }

    /** Every stored registration; a file that no longer parses is logged and skipped, never deleted. */
    public synchronized List<FunctionSpec> loadAll() throws IOException {
        List<FunctionSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                try {
                    specs.add(FunctionSpecCodec.parseJson(Files.readString(p)));
                } catch (SpecValidationException e) {
                    LOG.errorf("ignoring unreadable registration %s: %s", p, e.getMessage());
                }
            }
        }
        return specs;
    }

    /** Makes the rename or unlink itself durable (POSIX: fsync the directory). */
    private void syncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; the rename is still atomic there.
            LOG.debugf("cannot fsync directory %s: %s", dir, e.getMessage());
        }
    }
}
