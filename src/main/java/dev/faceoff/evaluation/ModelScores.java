package dev.faceoff.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.faceoff.embedding.Vectors;
import dev.faceoff.model.ModelManifest;

/**
 * One model's numbers on one pair list: the official pairs (10-fold accuracy, AUC, EER, TAR@FAR) and
 * the calibration set, every cross-identity pair among the pair list's images (millions of negatives),
 * from which thresholds at small FARs are read; and every official pair's score ({@code pairScores}, in the
 * list's order) for paired tests between models.
 *
 * Rule for images without a detected face: the pair is kept and scored −1 (the lowest cosine), so it
 * is always rejected — a false reject for a same pair, a correct reject for a different pair.
 */
record ModelScores(
        String model, String loss, boolean flip, int pairs, int pairsMissingFace,
        double acc10, double sd, double[] foldAccuracies, double auc, double eer, VerificationMetrics.Separation separation,
        Map<String, Double> tarAtFar, long calibrationNegatives, long calibrationPositives,
        Map<String, double[]> thresholds, List<ModelManifest.TailPoint> tail, double[] rocFar, double[] rocTar,
        double[] pairScores) {

    static final double MISSING = -1.0;
    static final double[] REPORTED_FARS = {1e-1, 1e-2, 1e-3, 1e-4};
    static final double[] CALIBRATED_FARS = {1e-2, 1e-3, 1e-4};
    /** The tail goes no deeper than FAR × impostors = 10: its deepest threshold rests on the top ten impostor scores or more. */
    static final long TAIL_MIN_ACCEPTED = 10;

    static ModelScores compute(String model, String loss, boolean flip, PairList list, Map<String, float[]> embeddings) {
        int n = list.pairs().size();
        double[] scores = new double[n];
        boolean[] same = new boolean[n];
        int[] fold = new int[n];
        int missing = 0;
        for (int i = 0; i < n; i++) {
            PairList.Pair p = list.pairs().get(i);
            float[] a = embeddings.get(p.image1());
            float[] b = embeddings.get(p.image2());
            same[i] = p.same();
            fold[i] = p.fold();
            if (a == null || b == null) {
                missing++;
                scores[i] = MISSING;
            } else {
                scores[i] = Vectors.cosine(a, b);
            }
        }
        var folds = VerificationMetrics.kFoldAccuracy(scores, same, fold, list.folds());
        var roc = VerificationMetrics.roc(scores, same);
        double[] negatives = scoresWhere(scores, same, false);
        double[] positives = scoresWhere(scores, same, true);
        var tar = new LinkedHashMap<String, Double>();
        for (double far : REPORTED_FARS) {
            double t = VerificationMetrics.thresholdAtFar(negatives, far);
            tar.put(farKey(far), Double.isNaN(t) ? null : VerificationMetrics.rateAtOrAbove(positives, t));
        }
        var calibration = Calibration.of(list, embeddings);
        return new ModelScores(model, loss, flip, n, missing, folds.mean(), folds.sd(), folds.folds(),
                VerificationMetrics.auc(scores, same), VerificationMetrics.eer(roc),
                VerificationMetrics.separation(positives, negatives), tar,
                calibration.negatives(), calibration.positives(), calibration.thresholds(), calibration.tail(),
                calibration.rocFar(), calibration.rocTar(), scores);
    }

    /** The scores of the pairs whose label is {@code wanted} (true: same person). */
    static double[] scoresWhere(double[] scores, boolean[] same, boolean wanted) {
        return java.util.stream.IntStream.range(0, scores.length).filter(i -> same[i] == wanted)
                .mapToDouble(i -> scores[i]).toArray();
    }

    static String farKey(double far) {
        int exponent = (int) Math.round(Math.log10(far));
        return "1e" + exponent;
    }

    /**
     * The FARs of the impostor tail: 1, 5 and 2 × 10^-k from 1e-2 down, as deep as {@code impostors} pairs support
     * (FAR × impostors ≥ {@link #TAIL_MIN_ACCEPTED}). Empty below 1,000 impostors.
     */
    static double[] tailFars(long impostors) {
        var fars = new ArrayList<Double>();
        for (int k = 2; k < 300; k++) {
            for (int m : new int[]{1, 5, 2}) {
                double far = Double.parseDouble(m + "e-" + (m == 1 ? k : k + 1));   // 1e-2, 5e-3, 2e-3, 1e-3, …
                if ((long) Math.floor(far * impostors + 1e-9) < TAIL_MIN_ACCEPTED) {
                    return fars.stream().mapToDouble(Double::doubleValue).toArray();
                }
                fars.add(far);
            }
        }
        return fars.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Thresholds from all cross-identity pairs of the images that have a face. */
    record Calibration(long negatives, long positives, Map<String, double[]> thresholds, List<ModelManifest.TailPoint> tail,
                       double[] rocFar, double[] rocTar) {

        static Calibration of(PairList list, Map<String, float[]> embeddings) {
            List<String> images = list.images().stream().filter(embeddings::containsKey).sorted().toList();
            int m = images.size();
            float[][] vectors = new float[m][];
            String[] identity = new String[m];
            for (int i = 0; i < m; i++) {
                vectors[i] = embeddings.get(images.get(i));
                identity[i] = PairList.identity(images.get(i));
            }
            long negativeCount = 0;
            long positiveCount = 0;
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j < m; j++) {
                    if (identity[i].equals(identity[j])) {
                        positiveCount++;
                    } else {
                        negativeCount++;
                    }
                }
            }
            if (negativeCount > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("too many images for all-pairs calibration: " + m);
            }
            float[] neg = new float[(int) negativeCount];
            float[] pos = new float[(int) positiveCount];
            int[] rowStart = new int[m];
            int[] rowPos = new int[m];
            int ni = 0;
            int pi = 0;
            for (int i = 0; i < m; i++) {
                rowStart[i] = ni;
                rowPos[i] = pi;
                for (int j = i + 1; j < m; j++) {
                    if (identity[i].equals(identity[j])) {
                        pi++;
                    } else {
                        ni++;
                    }
                }
            }
            java.util.stream.IntStream.range(0, m).parallel().forEach(i -> {
                int nn = rowStart[i];
                int pp = rowPos[i];
                for (int j = i + 1; j < m; j++) {
                    float s = dot(vectors[i], vectors[j]);
                    if (identity[i].equals(identity[j])) {
                        pos[pp++] = s;
                    } else {
                        neg[nn++] = s;
                    }
                }
            });
            Arrays.parallelSort(neg);
            Arrays.sort(pos);
            var thresholds = new LinkedHashMap<String, double[]>();
            for (double far : new double[]{1e-2, 1e-3, 1e-4, 1e-5}) {
                double t = VerificationMetrics.thresholdAtFarSorted(neg, far);
                if (!Double.isNaN(t)) {
                    thresholds.put(farKey(far), new double[]{t, atOrAbove(pos, t)});
                }
            }
            var tail = new ArrayList<ModelManifest.TailPoint>();
            for (double f : tailFars(negativeCount)) {
                tail.add(new ModelManifest.TailPoint(f, VerificationMetrics.thresholdAtFarSorted(neg, f)));
            }
            // ROC on a log grid of FARs, for the plot
            var far = new ArrayList<Double>();
            var tar = new ArrayList<Double>();
            for (double e = -6; e <= 0.0001; e += 0.1) {
                double f = Math.pow(10, e);
                double t = VerificationMetrics.thresholdAtFarSorted(neg, f);
                if (!Double.isNaN(t)) {
                    far.add(f);
                    tar.add(atOrAbove(pos, t));
                }
            }
            return new Calibration(negativeCount, positiveCount, thresholds, List.copyOf(tail),
                    far.stream().mapToDouble(Double::doubleValue).toArray(),
                    tar.stream().mapToDouble(Double::doubleValue).toArray());
        }

        private static float dot(float[] a, float[] b) {
            float s = 0;
            for (int k = 0; k < a.length; k++) {
                s += a[k] * b[k];
            }
            return s;
        }

        /** Fraction of ascending-sorted values ≥ t. */
        private static double atOrAbove(float[] ascending, double t) {
            if (ascending.length == 0) {
                return Double.NaN;
            }
            int lo = 0;
            int hi = ascending.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ascending[mid] < t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return (double) (ascending.length - lo) / ascending.length;
        }
    }
}
