package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.AEADBadTagException;

import org.junit.jupiter.api.Test;

/** Stored faces at rest: AES-256-GCM round-trips with the key, and nothing opens without it. */
class FaceCipherTest {

    static String key(int seed) {
        byte[] key = new byte[32];
        new java.util.Random(seed).nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    final byte[] crop = crop();

    static byte[] crop() {
        byte[] crop = new byte[112 * 112 * 3];
        new SecureRandom().nextBytes(crop);
        return crop;
    }

    @Test
    void aSealedFaceOpensWithItsKeyAndSubject() throws Exception {
        var cipher = FaceCipher.fromBase64(key(1));
        byte[] sealed = cipher.seal(crop, "acme", "alice");
        assertThat(sealed).hasSize(12 + crop.length + 16);
        assertThat(cipher.open(sealed, "acme", "alice")).isEqualTo(crop);
        assertThat(FaceCipher.fromBase64(key(1)).open(sealed, "acme", "alice")).as("the same key, another instance")
                .isEqualTo(crop);
    }

    @Test
    void theStoredBytesDoNotShowTheFace() {
        byte[] plain = new byte[crop.length];   // a flat grey crop: any leak would show as a run of equal bytes
        Arrays.fill(plain, (byte) 128);
        byte[] sealed = FaceCipher.fromBase64(key(1)).seal(plain, "acme", "alice");
        long equal = 0;
        for (int i = 12; i < 12 + plain.length; i++) {
            equal += sealed[i] == (byte) 128 ? 1 : 0;
        }
        assertThat(equal).as("ciphertext bytes equal to the plaintext's (chance: 1/256)").isLessThan(plain.length / 100);
    }

    @Test
    void anotherKeyOrAnotherSubjectFailsTheTag() {
        byte[] sealed = FaceCipher.fromBase64(key(1)).seal(crop, "acme", "alice");
        assertThatThrownBy(() -> FaceCipher.fromBase64(key(2)).open(sealed, "acme", "alice"))
                .isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> FaceCipher.fromBase64(key(1)).open(sealed, "acme", "bob"))
                .as("moved to another subject's row").isInstanceOf(AEADBadTagException.class);
        byte[] tampered = sealed.clone();
        tampered[100] ^= 1;
        assertThatThrownBy(() -> FaceCipher.fromBase64(key(1)).open(tampered, "acme", "alice"))
                .isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void everyFaceHasItsOwnNonce() {
        var cipher = FaceCipher.fromBase64(key(1));
        byte[] a = cipher.seal(crop, "acme", "alice");
        byte[] b = cipher.seal(crop, "acme", "alice");
        assertThat(Arrays.copyOf(a, 12)).isNotEqualTo(Arrays.copyOf(b, 12));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void theKeyIs256BitsOfBase64() {
        assertThatThrownBy(() -> FaceCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("256 bits");
        assertThatThrownBy(() -> FaceCipher.fromBase64("not base64!")).hasMessageContaining("not base64");
    }
}
