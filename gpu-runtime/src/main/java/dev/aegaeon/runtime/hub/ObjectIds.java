package dev.aegaeon.runtime.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hub's object ids of a file: a 64-hex etag is the LFS sha256 of the bytes; a 40-hex one the
 * git blob id, sha1 of {@code "blob <size>\0"} and the bytes.
 */
final class ObjectIds {
    private ObjectIds() {}

    /** Whether {@code revision} is a full git commit id (40 hex digits), which names files that never change. */
    static boolean isCommit(String revision) {
        return revision != null && revision.matches("[0-9a-f]{40}");
    }

    /** The id of {@code file} computed the way {@code etag} was, or null when the etag is neither kind (nothing to check). */
    static String of(String etag, Path file) throws IOException {
        boolean sha256 = etag.matches("[0-9a-f]{64}");
        boolean gitSha1 = etag.matches("[0-9a-f]{40}");
        if (!sha256 && !gitSha1) return null;
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(sha256 ? "SHA-256" : "SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256 and SHA-1", e);
        }
        if (gitSha1) md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
