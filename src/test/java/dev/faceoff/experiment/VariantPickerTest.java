package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sticky assignment maths: a stable hash, weighted slices, proportions within a chi-square bound. */
class VariantPickerTest {

    /** Chi-square critical values at p = 0.001. */
    static final double CHI2_DF1 = 10.828;
    static final double CHI2_DF2 = 13.816;

    @Test
    void theBucketIsSha256OfExperimentNulKeyAndNeverChanges() {
        double u = VariantPicker.bucket("losses", "subject-42");
        assertThat(u).isEqualTo(VariantPicker.bucket("losses", "subject-42")).isBetween(0.0, 1.0);
        // pinned: a change here would move every subject of every running experiment to another variant
        assertThat(u).isEqualTo(0x1.0p-53 * (hexTop("losses", "subject-42") >>> 11));
        assertThat(VariantPicker.bucket("other", "subject-42")).isNotEqualTo(u);
        // the NUL separator keeps ("ab", "c") and ("a", "bc") apart
        assertThat(VariantPicker.bucket("ab", "c")).isNotEqualTo(VariantPicker.bucket("a", "bc"));
    }

    private static long hexTop(String experiment, String key) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest((experiment + "\0" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pickFollowsCumulativeWeights() {
        double[] w = {50, 30, 20};
        assertThat(VariantPicker.pick(w, 0.0)).isZero();
        assertThat(VariantPicker.pick(w, 0.4999)).isZero();
        assertThat(VariantPicker.pick(w, 0.5)).isEqualTo(1);
        assertThat(VariantPicker.pick(w, 0.7999)).isEqualTo(1);
        assertThat(VariantPicker.pick(w, 0.8)).isEqualTo(2);
        assertThat(VariantPicker.pick(w, 0.9999999)).isEqualTo(2);
        assertThat(VariantPicker.pick(new double[]{0, 5, 0}, 0.0)).isEqualTo(1);
        assertThat(VariantPicker.pick(new double[]{0, 5, 0}, 0.99)).isEqualTo(1);
        assertThatThrownBy(() -> VariantPicker.pick(new double[]{0, 0}, 0.3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tenThousandKeysSplit5050WithinChiSquare() {
        int[] counts = assign("losses", new double[]{50, 50}, 10_000);
        double chi2 = chiSquare(counts, new double[]{0.5, 0.5});
        System.out.printf("assignment 50/50 over 10000 keys: %d / %d, chi2 = %.3f (df 1, p=0.001 bound %.3f)%n",
                counts[0], counts[1], chi2, CHI2_DF1);
        assertThat(chi2).isLessThan(CHI2_DF1);
    }

    @Test
    void tenThousandKeysSplit702010WithinChiSquare() {
        int[] counts = assign("three-way", new double[]{70, 20, 10}, 10_000);
        double chi2 = chiSquare(counts, new double[]{0.7, 0.2, 0.1});
        System.out.printf("assignment 70/20/10 over 10000 keys: %d / %d / %d, chi2 = %.3f (df 2, p=0.001 bound %.3f)%n",
                counts[0], counts[1], counts[2], chi2, CHI2_DF2);
        assertThat(chi2).isLessThan(CHI2_DF2);
    }

    @Test
    void raisingTheFirstWeightOnlyMovesKeysTowardsIt() {
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            double u = VariantPicker.bucket("losses", "subject-" + i);
            int before = VariantPicker.pick(new double[]{50, 50}, u);
            int after = VariantPicker.pick(new double[]{80, 20}, u);
            if (before == 0) {
                assertThat(after).isZero();
            } else if (after == 0) {
                moved++;
            }
        }
        // 30 % of all keys move from the second variant to the first, none the other way
        assertThat(moved).isBetween(2_700, 3_300);
    }

    static int[] assign(String experiment, double[] weights, int keys) {
        int[] counts = new int[weights.length];
        for (int i = 0; i < keys; i++) {
            counts[VariantPicker.pick(weights, VariantPicker.bucket(experiment, "subject-" + i))]++;
        }
        return counts;
    }

    static double chiSquare(int[] observed, double[] shares) {
        int n = 0;
        for (int o : observed) {
            n += o;
        }
        double chi2 = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = n * shares[i];
            chi2 += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return chi2;
    }
}
