package dev.aegaeon.platform.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The secret that admits a caller to the admin API: the configured one, else the one stored in
 * {@code <data-dir>/admin-token}, else a fresh random one written there (owner read/write only,
 * created with those permissions so it is never readable by others, even for a moment).
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin-token";
    private static final int MIN_LENGTH = 16;

    private final byte[] token;
    private final Optional<Path> generatedAt;

    private AdminToken(String token, Optional<Path> generatedAt) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.generatedAt = generatedAt;
    }

    /**
     * @param configured {@code aegaeon.admin.token}, if set (at least 16 characters)
     * @throws IllegalArgumentException for a configured token that is too short
     */
    public static AdminToken load(Optional<String> configured, Path dataDir) throws IOException {
        if (configured.isPresent() && !configured.get().isBlank()) {
            String t = configured.get().strip();
            if (t.length() < MIN_LENGTH) throw new IllegalArgumentException("aegaeon.admin.token must be at least " + MIN_LENGTH + " characters");
            return new AdminToken(t, Optional.empty());
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) return stored(file);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(dataDir);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return stored(file);
        } catch (UnsupportedOperationException e) { // not a POSIX file system
            Files.createFile(file);
        }
        Files.writeString(file, fresh + "\n");
        return new AdminToken(fresh, Optional.of(file));
    }

    /** The token in {@code file}; one too short to be a secret (an emptied file) stops the start rather than admit anyone. */
    private static AdminToken stored(Path file) throws IOException {
        String t = Files.readString(file).strip();
        if (t.length() < MIN_LENGTH)
            throw new IllegalStateException(file + " holds no usable admin token (under " + MIN_LENGTH + " characters); delete it to have a new one generated");
        return new AdminToken(t, Optional.empty());
    }

    /** Whether {@code presented} is the token; constant time in the token's content. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Where the token was generated, when this start generated it (the banner then shows it once). */
    public Optional<Path> generatedAt() {
        return generatedAt;
    }

    /** The token itself, for the one banner line at its generation. */
    public String reveal() {
        return new String(token, StandardCharsets.UTF_8);
    }
}
