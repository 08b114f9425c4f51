package dev.faceoff.identification;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import dev.faceoff.evaluation.VerificationMetrics;
import dev.faceoff.gallery.GalleryStore;

/**
 * BLUFR's open-set identification and verification metrics (Liao et al., IJCB 2014), over searches already made.
 * Pure. A probe with no face has no search: a miss when mated, a rejected search (top score −∞) when not.
 */
final class OpenSetMetrics {

    private OpenSetMetrics() {
    }

    /**
     * One probe's search: whether its subject is enrolled ({@code mated}), whether the top subject is its own
     * ({@code rightAtRank1}), and the top subject's score ({@code −∞}: no face, or an empty gallery).
     */
    record Probe(boolean mated, boolean rightAtRank1, double top) {

        static Probe noFace(boolean mated) {
            return new Probe(mated, false, Double.NEGATIVE_INFINITY);
        }
    }

    /**
     * The empirical threshold at {@code fpir}: the lowest at which at most {@code fpir × impostors} non-mated probes
     * have a top score at or above it ({@link VerificationMetrics#thresholdAtFar}'s rule, the non-mated probes'
     * top scores as the negatives); NaN with fewer than {@code 1 / fpir} non-mated probes.
     */
    static double thresholdAtFpir(List<Probe> probes, double fpir) {
        return VerificationMetrics.thresholdAtFar(tops(probes, false), fpir);
    }

    /** The share of non-mated probes whose top score is at or above {@code threshold} (a false positive each). */
    static double fpir(List<Probe> probes, double threshold) {
        return VerificationMetrics.rateAtOrAbove(tops(probes, false), threshold);
    }

    /** The detection and identification rate at rank 1: mated probes whose own subject is first, at or above the threshold. */
    static double dir(List<Probe> probes, double threshold) {
        long mated = probes.stream().filter(Probe::mated).count();
        long found = probes.stream().filter(p -> p.mated() && p.rightAtRank1() && p.top() >= threshold).count();
        return mated == 0 ? Double.NaN : (double) found / mated;
    }

    private static double[] tops(List<Probe> probes, boolean mated) {
        return probes.stream().filter(p -> p.mated() == mated).mapToDouble(Probe::top).toArray();
    }

    /** A metric over trials: its mean, its standard deviation (n − 1, MATLAB's {@code std}, as BLUFR's code) and mean − std. */
    record Spread(double mean, double std) {

        static Spread of(double[] values) {
            double mean = Arrays.stream(values).average().orElse(Double.NaN);
            double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
            return new Spread(mean, values.length < 2 ? 0 : Math.sqrt(squares / (values.length - 1)));
        }

        /** What BLUFR reports: the mean less one standard deviation. */
        double meanMinusStd() {
            return mean - std;
        }
    }

    /**
     * The similarity of every pair of a set of vectors, computed once (BLUFR's trials draw their test sets from one
     * image list): pair (i, j), i &lt; j, at {@code rowStart[i] + j − i − 1}. A null vector (no face) scores −∞.
     */
    record AllPairs(float[] scores, long[] rowStart) {

        static AllPairs of(float[][] vectors) {
            int n = vectors.length;
            long[] rowStart = new long[n + 1];
            for (int i = 0; i < n; i++) {
                rowStart[i + 1] = rowStart[i] + (n - 1 - i);
            }
            if (rowStart[n] > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many pairs for one array: " + rowStart[n]);
            }
            float[] scores = new float[(int) rowStart[n]];
            IntStream.range(0, n).parallel().forEach(i -> {
                int at = (int) rowStart[i];
                for (int j = i + 1; j < n; j++) {
                    scores[at++] = vectors[i] == null || vectors[j] == null ? Float.NEGATIVE_INFINITY
                            : GalleryStore.similarity(vectors[i], vectors[j]);
                }
            });
            return new AllPairs(scores, rowStart);
        }

        float score(int i, int j) {
            return scores[(int) (rowStart[i] + j - i - 1)];
        }
    }

    /**
     * The verification rate at {@code far} over every pair of a test set: the share of same-subject pairs at or
     * above the threshold that {@link VerificationMetrics#thresholdAtFarSorted} picks from every different-subject
     * pair. {@code vectors[i]} is null for an image with no face: its pairs score −∞ (kept, always rejected).
     */
    static double verificationRate(float[][] vectors, int[] labels, double far) {
        return verificationRate(AllPairs.of(vectors), IntStream.range(0, vectors.length).toArray(), labels, far);
    }

    /** {@link #verificationRate} of the test set {@code members} (indexes into the pairs' vectors and {@code labels}). */
    static double verificationRate(AllPairs pairs, int[] members, int[] labels, double far) {
        int[] test = members.clone();
        Arrays.sort(test);
        int n = test.length;
        long[] genuineFrom = new long[n + 1];
        long[] impostorFrom = new long[n + 1];
        for (int a = 0; a < n; a++) {
            int same = 0;
            for (int b = a + 1; b < n; b++) {
                if (labels[test[b]] == labels[test[a]]) {
                    same++;
                }
            }
            genuineFrom[a + 1] = genuineFrom[a] + same;
            impostorFrom[a + 1] = impostorFrom[a] + (n - 1 - a - same);
        }
        double[] genuine = new double[(int) genuineFrom[n]];
        float[] impostor = new float[(int) impostorFrom[n]];
        IntStream.range(0, n).parallel().forEach(a -> {
            int g = (int) genuineFrom[a];
            int m = (int) impostorFrom[a];
            for (int b = a + 1; b < n; b++) {
                float score = pairs.score(test[a], test[b]);
                if (labels[test[b]] == labels[test[a]]) {
                    genuine[g++] = score;
                } else {
                    impostor[m++] = score;
                }
            }
        });
        Arrays.parallelSort(impostor);
        double threshold = VerificationMetrics.thresholdAtFarSorted(impostor, far);
        return Double.isNaN(threshold) ? Double.NaN : VerificationMetrics.rateAtOrAbove(genuine, threshold);
    }
}
