package dev.aegaeon.runtime.hub;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The hub cache's layout, the one {@code huggingface_hub} uses, so either tool reuses the other's
 * files: {@code models--org--name/blobs/<etag>} holds each file's bytes once,
 * {@code snapshots/<commit>/<file>} links to its blob, and {@code refs/<revision>} holds the commit a
 * branch or tag resolved to. A blob appears under its final name only complete and verified (it is
 * written as {@code <etag>.incomplete} and moved atomically); a snapshot file only once its blob is.
 * A snapshot that received every file a model needs is recorded in {@code .aegaeon/complete/<commit>}
 * beside those folders (huggingface_hub reads only refs, snapshots and blobs), so a later start can
 * use it without asking the hub what it should hold.
 */
final class HubCache {
    private final Path repoDir;

    HubCache(Path cacheDir, String repo) {
        this.repoDir = cacheDir.resolve("models--" + repo.replace("/", "--"));
    }

    Path repoDir() {
        return repoDir;
    }

    Path blob(String etag) {
        return repoDir.resolve("blobs").resolve(etag);
    }

    Path incomplete(String etag) {
        return repoDir.resolve("blobs").resolve(etag + ".incomplete");
    }

    Path snapshot(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    /** Points {@code snapshots/<commit>/<name>} at a verified blob (a relative symlink; a copy where links are not allowed). */
    void link(String commit, String name, String etag) throws IOException {
        Path target = snapshot(commit).resolve(name);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(name + ".link-tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, Path.of("..", "..", "blobs", etag));
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob(etag), tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** True when {@code snapshots/<commit>/<name>} resolves to a file of {@code size} bytes (any size when negative). */
    boolean hasSnapshotFile(String commit, String name, long size) throws IOException {
        Path p = snapshot(commit).resolve(name);
        return Files.isRegularFile(p) && (size < 0 || Files.size(p) == size);
    }

    /** The complete snapshot {@code revision} (a commit, or a branch or tag through its ref) names, if any. */
    java.util.Optional<Path> completeSnapshot(String revision) {
        String commit = revision;
        Path ref = repoDir.resolve("refs").resolve(revision);
        try {
            if (!ObjectIds.isCommit(revision)) {
                if (!ref.normalize().startsWith(repoDir.resolve("refs")) || !Files.isRegularFile(ref)) return java.util.Optional.empty();
                commit = Files.readString(ref).strip();
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        if (!ObjectIds.isCommit(commit) || !Files.isRegularFile(repoDir.resolve(".aegaeon/complete").resolve(commit))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(snapshot(commit));
    }

    void markComplete(String commit) throws IOException {
        Path mark = repoDir.resolve(".aegaeon/complete").resolve(commit);
        Files.createDirectories(mark.getParent());
        if (!Files.exists(mark)) Files.createFile(mark);
    }

    void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) return;
        Path ref = repoDir.resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + ".tmp");
        Files.writeString(tmp, commit);
        Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
