package dev.faceoff.alignment;

/**
 * 68 iBUG landmarks → the 5 points of the ArcFace template, pure: eye centres (mean of the four lid
 * points of each eye, corners excluded), nose tip (30), mouth corners (mean of outer 48/54 and inner 60/64).
 * Points are flattened {@code x0, y0, x1, y1, …}; "left" is the subject's right eye, on the image's left.
 */
public final class FivePoints {

    private FivePoints() {
    }

    public static double[] from68(double[] p68) {
        if (p68.length != 136) {
            throw new IllegalArgumentException("expected 68 points (136 values), got " + p68.length);
        }
        return new double[]{
                mean(p68, 0, 37, 38, 40, 41), mean(p68, 1, 37, 38, 40, 41),
                mean(p68, 0, 43, 44, 46, 47), mean(p68, 1, 43, 44, 46, 47),
                p68[60], p68[61],
                mean(p68, 0, 48, 60), mean(p68, 1, 48, 60),
                mean(p68, 0, 54, 64), mean(p68, 1, 54, 64),
        };
    }

    private static double mean(double[] p, int axis, int... points) {
        double sum = 0;
        for (int point : points) {
            sum += p[point * 2 + axis];
        }
        return sum / points.length;
    }
}
