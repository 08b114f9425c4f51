package dev.faceoff.experiment;

import java.util.Arrays;

/** Sample quantiles. Pure. */
final class Quantiles {

    private Quantiles() {
    }

    /**
     * The q-quantile of the values by linear interpolation between closest ranks (R's type 7, NumPy's
     * default); NaN for no values.
     */
    static double of(double[] values, double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("q must be in [0, 1]: " + q);
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted(sorted, q);
    }

    /** Several quantiles of the same values, sorting once. */
    static double[] of(double[] values, double... qs) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] out = new double[qs.length];
        for (int i = 0; i < qs.length; i++) {
            out[i] = sorted.length == 0 ? Double.NaN : sorted(sorted, qs[i]);
        }
        return out;
    }

    private static double sorted(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
