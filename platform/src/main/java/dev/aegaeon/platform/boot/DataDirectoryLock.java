package dev.aegaeon.platform.boot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <data-dir>/.lock}, held for the life of the process: the one instance
 * holding it owns the registrations, the embedded broker's log and the ledger there. A second
 * instance on the same directory is refused before it touches any of them (it would otherwise
 * corrupt the running broker's log). The OS releases the lock when the process dies, however it dies.
 */
public final class DataDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    /** Another process (or this one) holds the directory. Carries one line for the operator; no stack trace. */
    public static final class InUse extends RuntimeException {
        InUse(String message) {
            super(message, null, false, false);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, creating the directory if needed.
     *
     * @throws InUse when another instance holds it
     */
    public static DataDirectoryLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) { // held by this very JVM
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new InUse("Another Aegaeon instance is using the data directory " + dataDir
                    + "; stop it, or give this one its own directory with -Daegaeon.data-dir=... (and another -Dquarkus.http.port).");
        }
        return new DataDirectoryLock(ch, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
