package dev.faceoff.experiment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.faceoff.common.Digests;

/**
 * Variant assignment maths. Pure: a sticky key lands on the same variant on every replica and after every
 * restart because the bucket is SHA-256 of {@code experiment \0 key}, never {@code String.hashCode}.
 */
final class VariantPicker {

    private VariantPicker() {
    }

    /** A uniform point in [0, 1) fixed by (experiment, key): the top 53 bits of SHA-256("experiment\0key"). */
    static double bucket(String experiment, String key) {
        MessageDigest sha = Digests.sha256();
        sha.update(experiment.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(key.getBytes(StandardCharsets.UTF_8));
        long top = ByteBuffer.wrap(sha.digest()).getLong();
        return (top >>> 11) * 0x1.0p-53;
    }

    /**
     * The index of the variant whose slice of the cumulative weights holds {@code u}. Weights of zero get
     * no traffic; raising one variant's weight only moves keys from the variants after it to it or keeps them.
     *
     * @param weights non-negative, with a positive sum
     * @param u a point in [0, 1)
     */
    static int pick(double[] weights, double u) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] <= 0) {
                continue;
            }
            cumulative += weights[i];
            last = i;
            if (target < cumulative) {
                return i;
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("weights must have a positive sum");
        }
        return last;
    }
}
