package dev.aegaeon.platform.boot;

import java.nio.file.Path;

/** A second process taking the data-directory lock, for {@link DataDirectoryLockTest}. */
final class LockProbe {
    static final int IN_USE_EXIT = 3;

    private LockProbe() {}

    public static void main(String[] args) throws Exception {
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(Path.of(args[0]))) {
            System.out.println("acquired");
        } catch (DataDirectoryLock.InUse e) {
            System.err.println(e.getMessage());
            System.exit(IN_USE_EXIT);
        }
    }
}
