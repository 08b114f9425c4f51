package dev.faceoff.experiment;

/**
 * Statistics of error rates from labelled feedback. Pure: Wilson score intervals, the pooled two-proportion
 * z-test, and the sample size that would make a difference significant.
 */
final class Proportions {

    /** z of a two-sided 95 % interval. */
    static final double Z95 = 1.959963984540054;
    /** z of 80 % power. */
    static final double Z_POWER80 = 0.8416212335729143;

    private Proportions() {
    }

    /** A closed interval [low, high] around a proportion. */
    record Interval(double low, double high) {
    }

    /**
     * The Wilson score interval of {@code successes} out of {@code n} at normal quantile {@code z}; for n = 0
     * the whole of [0, 1].
     */
    static Interval wilson(long successes, long n, double z) {
        if (n <= 0) {
            return new Interval(0, 1);
        }
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes " + successes + " outside [0, " + n + "]");
        }
        double p = (double) successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /**
     * Pooled two-proportion z-test of x1/n1 against x2/n2.
     *
     * @param z (p1 - p2) / pooled standard error; 0 when it cannot be computed
     * @param p two-sided p-value; 1 when it cannot be computed (an empty group, or 0 or 1 pooled)
     */
    record ZTest(double z, double p) {
        boolean significant(double alpha) {
            return p < alpha;
        }
    }

    static ZTest twoProportion(long x1, long n1, long x2, long n2) {
        if (n1 <= 0 || n2 <= 0) {
            return new ZTest(0, 1);
        }
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        double pooled = (double) (x1 + x2) / (n1 + n2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        if (se == 0) {
            return new ZTest(0, 1);
        }
        double z = (p1 - p2) / se;
        return new ZTest(z, 2 * upperTail(Math.abs(z)));
    }

    /**
     * Labelled pairs per group needed for a two-sided test at 5 % to detect p1 against p2 with 80 % power
     * (the normal-approximation formula); -1 when the rates are equal (no sample size detects no difference).
     */
    static long sampleSizePerGroup(double p1, double p2) {
        double delta = Math.abs(p1 - p2);
        if (delta == 0) {
            return -1;
        }
        double mean = (p1 + p2) / 2;
        double a = Z95 * Math.sqrt(2 * mean * (1 - mean));
        double b = Z_POWER80 * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
        return (long) Math.ceil((a + b) * (a + b) / (delta * delta));
    }

    /** P(Z > z) of the standard normal distribution, from erfc (absolute error below 1.2e-7). */
    static double upperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function; Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7. */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
