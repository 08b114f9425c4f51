package dev.faceoff.alignment;

/**
 * The least-squares similarity transform (rotation, uniform scale, translation; no reflection) taking
 * source points onto destination points: Umeyama (1991) in 2-d, in closed form. Pure.
 */
public final class SimilarityTransform {

    /** The 112×112 ArcFace template: eyes, nose tip, mouth corners. */
    public static final double[] ARCFACE_112 = {
            38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};

    private SimilarityTransform() {
    }

    /** @return the 2×3 matrix {@code [a, -b, tx, b, a, ty]} row-major, as warpAffine takes it */
    public static double[] estimate(double[] src, double[] dst) {
        int n = src.length / 2;
        if (src.length != dst.length || n < 2) {
            throw new IllegalArgumentException("need the same number (≥ 2) of source and destination points");
        }
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) {
            sx += src[2 * i];
            sy += src[2 * i + 1];
            dx += dst[2 * i];
            dy += dst[2 * i + 1];
        }
        sx /= n;
        sy /= n;
        dx /= n;
        dy /= n;
        double dot = 0, cross = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            double x = src[2 * i] - sx, y = src[2 * i + 1] - sy;
            double u = dst[2 * i] - dx, v = dst[2 * i + 1] - dy;
            dot += x * u + y * v;
            cross += x * v - y * u;
            norm += x * x + y * y;
        }
        if (norm == 0) {
            throw new IllegalArgumentException("source points are all the same");
        }
        double a = dot / norm;
        double b = cross / norm;
        return new double[]{a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)};
    }

    /** Applies a 2×3 matrix to flattened points. */
    public static double[] apply(double[] m, double[] points) {
        double[] out = new double[points.length];
        for (int i = 0; i < points.length; i += 2) {
            out[i] = m[0] * points[i] + m[1] * points[i + 1] + m[2];
            out[i + 1] = m[3] * points[i] + m[4] * points[i + 1] + m[5];
        }
        return out;
    }
}
