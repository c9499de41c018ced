package dev.aegaeon.functions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API keys as specs store them: {@code sha256:<salt hex>:<digest hex>}, the SHA-256 of a random
 * 16-byte salt followed by the key's UTF-8 bytes. A key given in the clear is hashed at registration
 * ({@link FunctionSpec#withHashedApiKey()}), so the stored registration and every admin answer hold
 * only the digest. Checking costs one SHA-256 (keys are checked on every invocation, so no slow KDF)
 * and compares digests in constant time.
 */
public final class ApiKeys {
    static final String PREFIX = "sha256:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private ApiKeys() {}

    /** Whether {@code stored} is already a digest in this class's format. */
    public static boolean isHashed(String stored) {
        if (!stored.startsWith(PREFIX)) return false;
        String[] parts = stored.substring(PREFIX.length()).split(":", -1);
        return parts.length == 2 && parts[0].length() == 32 && parts[1].length() == 64
                && (parts[0] + parts[1]).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** The stored form of a key given in the clear, with a fresh salt. */
    public static String hash(String clear) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return PREFIX + HEX.formatHex(salt) + ":" + HEX.formatHex(digest(salt, clear));
    }

    /** Whether {@code presented} is the key {@code stored} was made from (or equals it, for a key still in the clear). */
    public static boolean matches(String stored, String presented) {
        if (presented == null) return false;
        if (!isHashed(stored))
            return MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
        String[] parts = stored.substring(PREFIX.length()).split(":");
        return MessageDigest.isEqual(HEX.parseHex(parts[1]), digest(HEX.parseHex(parts[0]), presented));
    }

    private static byte[] digest(byte[] salt, String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
