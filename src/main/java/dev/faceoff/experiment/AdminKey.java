package dev.faceoff.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The admin key check: constant time (digests of equal length compared with MessageDigest.isEqual). */
final class AdminKey {

    private final byte[] expected;

    /** @param key the configured key; empty: every request is refused */
    AdminKey(String key) {
        this.expected = key == null || key.isEmpty() ? null : sha256(key);
    }

    boolean enabled() {
        return expected != null;
    }

    boolean matches(String presented) {
        return expected != null && presented != null && MessageDigest.isEqual(expected, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
