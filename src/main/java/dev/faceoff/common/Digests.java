package dev.faceoff.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 without the checked exception: every Java platform must provide it. */
public final class Digests {

    private Digests() {
    }

    /** A fresh SHA-256 digest (not thread-safe: one per use). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
