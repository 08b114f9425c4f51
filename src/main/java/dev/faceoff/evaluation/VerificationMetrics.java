package dev.faceoff.evaluation;

import java.util.Arrays;

/**
 * Verification metrics over scored pairs (higher score = more alike; a pair is predicted "same" when
 * score ≥ threshold, the service's rule). Pure and exact: thresholds are chosen among the observed scores, ties
 * kept together. {@code training/metrics.py} is the same definition in Python; both reproduce the fixture
 * {@code src/test/resources/accuracy/scores.json} exactly.
 */
public final class VerificationMetrics {

    private VerificationMetrics() {
    }

    /** Mean and standard deviation (population, as in the LFW protocol tools) of per-fold accuracies. */
    public record FoldAccuracy(double mean, double sd, double[] folds, double[] thresholds) {
    }

    /**
     * LFW protocol: for each fold, choose the threshold maximising accuracy on the other folds, then
     * measure accuracy on the fold itself.
     */
    public static FoldAccuracy kFoldAccuracy(double[] scores, boolean[] same, int[] fold, int folds) {
        double[] accuracies = new double[folds];
        double[] thresholds = new double[folds];
        for (int k = 0; k < folds; k++) {
            int trainCount = 0;
            for (int f : fold) {
                if (f != k) {
                    trainCount++;
                }
            }
            double[] trainScores = new double[trainCount];
            boolean[] trainSame = new boolean[trainCount];
            int j = 0;
            for (int i = 0; i < scores.length; i++) {
                if (fold[i] != k) {
                    trainScores[j] = scores[i];
                    trainSame[j++] = same[i];
                }
            }
            double[] testScores = new double[scores.length - trainCount];
            boolean[] testSame = new boolean[testScores.length];
            j = 0;
            for (int i = 0; i < scores.length; i++) {
                if (fold[i] == k) {
                    testScores[j] = scores[i];
                    testSame[j++] = same[i];
                }
            }
            thresholds[k] = bestThreshold(trainScores, trainSame);
            accuracies[k] = accuracyAt(testScores, testSame, thresholds[k]);
        }
        double mean = Arrays.stream(accuracies).average().orElse(Double.NaN);
        double var = Arrays.stream(accuracies).map(a -> (a - mean) * (a - mean)).average().orElse(Double.NaN);
        return new FoldAccuracy(mean, Math.sqrt(var), accuracies, thresholds);
    }

    /**
     * The threshold with the highest accuracy: a cut between two distinct observed scores (their
     * midpoint), or above the highest / below the lowest. Among equally accurate cuts, the first found
     * from the top.
     */
    public static double bestThreshold(double[] scores, boolean[] same) {
        Integer[] order = descending(scores);
        int positives = 0;
        for (boolean s : same) {
            if (s) {
                positives++;
            }
        }
        int n = scores.length;
        int negatives = n - positives;
        // cut at 0: nothing predicted same → correct = all negatives
        int bestCorrect = negatives;
        double best = n == 0 ? 0 : scores[order[0]] + 1e-6;
        int tp = 0;
        int fp = 0;
        for (int i = 0; i < n; i++) {
            if (same[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            boolean lastOfTie = i == n - 1 || scores[order[i + 1]] != scores[order[i]];
            if (!lastOfTie) {
                continue;
            }
            int correct = tp + (negatives - fp);
            if (correct > bestCorrect) {
                bestCorrect = correct;
                best = i == n - 1 ? scores[order[i]] - 1e-6 : (scores[order[i]] + scores[order[i + 1]]) / 2;
            }
        }
        return best;
    }

    /** The share of pairs decided right at this threshold ("same" when score ≥ threshold); NaN without pairs. */
    public static double accuracyAt(double[] scores, boolean[] same, double threshold) {
        int correct = 0;
        for (int i = 0; i < scores.length; i++) {
            if ((scores[i] >= threshold) == same[i]) {
                correct++;
            }
        }
        return scores.length == 0 ? Double.NaN : (double) correct / scores.length;
    }

    /** Area under the ROC curve: P(score of a same pair > score of a different pair), ties count ½. */
    public static double auc(double[] scores, boolean[] same) {
        Integer[] order = descending(scores);
        long positives = 0;
        long negatives = 0;
        for (boolean s : same) {
            if (s) {
                positives++;
            } else {
                negatives++;
            }
        }
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double area = 0;
        long negativesAbove = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            long tiePos = 0;
            long tieNeg = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (same[order[j]]) {
                    tiePos++;
                } else {
                    tieNeg++;
                }
                j++;
            }
            // each positive beats the negatives below it; ties count half
            area += tiePos * (negatives - negativesAbove - tieNeg) + 0.5 * tiePos * tieNeg;
            negativesAbove += tieNeg;
            i = j;
        }
        return area / ((double) positives * negatives);
    }

    /** The ROC curve: one point per distinct threshold, from the strictest (0, 0) to (1, 1). */
    public record Roc(double[] far, double[] tar, double[] thresholds) {
    }

    public static Roc roc(double[] scores, boolean[] same) {
        Integer[] order = descending(scores);
        int positives = 0;
        for (boolean s : same) {
            if (s) {
                positives++;
            }
        }
        int negatives = scores.length - positives;
        var far = new java.util.ArrayList<Double>();
        var tar = new java.util.ArrayList<Double>();
        var thr = new java.util.ArrayList<Double>();
        far.add(0.0);
        tar.add(0.0);
        thr.add(Double.POSITIVE_INFINITY);
        int tp = 0;
        int fp = 0;
        for (int i = 0; i < order.length; i++) {
            if (same[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            if (i == order.length - 1 || scores[order[i + 1]] != scores[order[i]]) {
                far.add(negatives == 0 ? 0 : (double) fp / negatives);
                tar.add(positives == 0 ? 0 : (double) tp / positives);
                thr.add(scores[order[i]]);
            }
        }
        return new Roc(far.stream().mapToDouble(Double::doubleValue).toArray(),
                tar.stream().mapToDouble(Double::doubleValue).toArray(),
                thr.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** How far apart the same-person and different-person score distributions lie. */
    public record Separation(double sameMean, double sameSd, double differentMean, double differentSd, double dPrime) {
    }

    /**
     * Means and standard deviations (population) of the same- and different-person scores, and the
     * decidability index d' = (μ_same − μ_diff) / √((σ²_same + σ²_diff) / 2) (Daugman): the gap between
     * the two distributions in units of their spread, independent of where a threshold is put.
     */
    public static Separation separation(double[] sameScores, double[] differentScores) {
        double ms = mean(sameScores);
        double md = mean(differentScores);
        double ss = sd(sameScores, ms);
        double sd = sd(differentScores, md);
        double spread = Math.sqrt((ss * ss + sd * sd) / 2);
        return new Separation(ms, ss, md, sd, spread == 0 ? Double.NaN : (ms - md) / spread);
    }

    private static double mean(double[] xs) {
        return xs.length == 0 ? Double.NaN : Arrays.stream(xs).sum() / xs.length;
    }

    private static double sd(double[] xs, double mean) {
        return xs.length == 0 ? Double.NaN : Math.sqrt(Arrays.stream(xs).map(x -> (x - mean) * (x - mean)).sum() / xs.length);
    }

    /** Equal error rate: where the false-accept rate equals the false-reject rate (linear interpolation). */
    public static double eer(Roc roc) {
        double[] far = roc.far();
        double[] frr = Arrays.stream(roc.tar()).map(t -> 1 - t).toArray();
        for (int i = 1; i < far.length; i++) {
            double before = frr[i - 1] - far[i - 1];
            double after = frr[i] - far[i];
            if (before >= 0 && after <= 0) {
                double t = before == after ? 0 : before / (before - after);
                return far[i - 1] + t * (far[i] - far[i - 1]);
            }
        }
        return Double.NaN;
    }

    /**
     * The lowest threshold at which at most {@code far × negatives} different pairs are accepted (tied negatives at
     * the cut all rejected), or NaN when there are too few negatives to measure that rate (fewer than 1 / far).
     */
    public static double thresholdAtFar(double[] negativeScores, double far) {
        double[] sorted = negativeScores.clone();
        Arrays.sort(sorted);
        return thresholdAtFar(sorted.length, i -> sorted[i], far);
    }

    /** The true-accept rate at {@link #thresholdAtFar}: the share of positives accepted there; NaN where it is. */
    public static double tarAtFar(double[] positiveScores, double[] negativeScores, double far) {
        double t = thresholdAtFar(negativeScores, far);
        return Double.isNaN(t) ? Double.NaN : rateAtOrAbove(positiveScores, t);
    }

    /** Fraction of scores at or above the threshold. */
    public static double rateAtOrAbove(double[] scores, double threshold) {
        if (scores.length == 0) {
            return Double.NaN;
        }
        long count = Arrays.stream(scores).filter(s -> s >= threshold).count();
        return (double) count / scores.length;
    }

    /** {@link #thresholdAtFar} of negatives already sorted ascending. */
    public static double thresholdAtFarSorted(float[] ascending, double far) {
        return thresholdAtFar(ascending.length, i -> ascending[i], far);
    }

    private static double thresholdAtFar(int n, java.util.function.IntToDoubleFunction ascending, double far) {
        if (n == 0 || n * far < 1 - 1e-9) {
            return Double.NaN;
        }
        long allowed = (long) Math.floor(far * n + 1e-9);
        if (allowed >= n) {
            return ascending.applyAsDouble(0);
        }
        // the (allowed + 1)-th highest negative must be rejected
        return Math.nextUp(ascending.applyAsDouble((int) (n - 1 - allowed)));
    }

    private static Integer[] descending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        return order;
    }
}
