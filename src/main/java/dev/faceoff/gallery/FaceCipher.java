package dev.faceoff.gallery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stored faces at rest: AES-256-GCM, a random 96-bit nonce per face, the face's tenant and subject as
 * associated data (a sealed crop moved to another subject's row does not open). Sealed form:
 * nonce (12 bytes) || ciphertext || tag (16 bytes).
 */
final class FaceCipher {

    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private FaceCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** From {@code faceoff.gallery.face-key}: 32 bytes, base64. */
    static FaceCipher fromBase64(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("faceoff.gallery.face-key is not base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("faceoff.gallery.face-key must be 256 bits (32 bytes, base64), not "
                    + key.length * 8);
        }
        return new FaceCipher(key);
    }

    byte[] seal(byte[] crop, String tenant, String subjectId) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associated(tenant, subjectId));
            byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + cipher.getOutputSize(crop.length));
            cipher.doFinal(crop, 0, crop.length, sealed, NONCE_BYTES);
            return sealed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The crop; throws {@link GeneralSecurityException} (the GCM tag fails) with another key or other associated data. */
    byte[] open(byte[] sealed, String tenant, String subjectId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
        cipher.updateAAD(associated(tenant, subjectId));
        return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    }

    private static byte[] associated(String tenant, String subjectId) {
        return (tenant + "\u0000" + subjectId).getBytes(StandardCharsets.UTF_8);
    }
}
