package dev.faceoff.face;

import dev.faceoff.alignment.AlignedFace;

/**
 * How usable a found face is for verification, from what the pipeline already has (pure, no model):
 *
 * <ul>
 *   <li>{@code detectorScore}: the detector's confidence;</li>
 *   <li>{@code interEyePx}: distance between the eye centres in the original image (face size);</li>
 *   <li>{@code yawDeg}: head turn from the five points — where the nose falls between the eyes, as
 *       asin(2 × (t − ½)) with t the nose's position along the eye line (0 frontal, ±90 full profile);</li>
 *   <li>{@code rollDeg}: tilt of the eye line;</li>
 *   <li>{@code sharpness}: variance of the 4-neighbour Laplacian of the aligned grey crop;</li>
 *   <li>{@code brightness} (mean grey level 0–255) and {@code clipped} (share of pixels ≤ 5 or ≥ 250).</li>
 * </ul>
 *
 * {@code score} in [0, 1] is the product of five factors, each 1 for a good face and falling linearly to 0:
 * pose 1 up to |yaw| 20°, 0 from 70°; size 1 from an inter-eye distance of 30 px, 0 at 8 px; sharpness 1
 * from a Laplacian variance of 60, 0 at 5; exposure 1 for a mean in [50, 210] and under 5% clipped, 0 at a
 * mean of 10 / 250 or 50% clipped; detector 1 from 0.8, 0 at 0.3. {@link #weakest()} names the lowest factor
 * ({@code none} when every factor is 1).
 */
public record FaceQuality(double score, double detectorScore, double interEyePx, double yawDeg, double rollDeg,
                          double sharpness, double brightness, double clipped, String weakest) {

    /** Measures a face from its five points (image pixels), its aligned crop and the detector's score. */
    public static FaceQuality of(double[] points5, AlignedFace aligned, double detectorScore) {
        double ex = points5[2] - points5[0];
        double ey = points5[3] - points5[1];
        double eyes = Math.hypot(ex, ey);
        double roll = Math.toDegrees(Math.atan2(ey, ex));
        double yaw = 0;
        if (eyes > 1e-6) {
            // nose position along the eye line, 0 at the image-left eye, 1 at the other
            double t = ((points5[4] - points5[0]) * ex + (points5[5] - points5[1]) * ey) / (eyes * eyes);
            yaw = Math.toDegrees(Math.asin(Math.max(-1, Math.min(1, 2 * (t - 0.5)))));
        }
        double[] grey = grey(aligned);
        double sharpness = laplacianVariance(grey, aligned.size());
        double mean = 0;
        int clippedCount = 0;
        for (double g : grey) {
            mean += g;
            if (g <= 5 || g >= 250) {
                clippedCount++;
            }
        }
        mean /= grey.length;
        double clipped = (double) clippedCount / grey.length;

        double pose = ramp(70 - Math.abs(yaw), 0, 50);
        double size = ramp(eyes, 8, 30);
        double sharp = ramp(sharpness, 5, 60);
        double exposure = Math.min(Math.min(ramp(mean, 10, 50), ramp(250 - mean, 0, 40)), ramp(0.5 - clipped, 0, 0.45));
        double detector = ramp(detectorScore, 0.3, 0.8);
        String[] names = {"pose", "size", "sharpness", "exposure", "detector"};
        double[] factors = {pose, size, sharp, exposure, detector};
        int weakest = 0;
        double score = 1;
        for (int i = 0; i < factors.length; i++) {
            score *= factors[i];
            if (factors[i] < factors[weakest]) {
                weakest = i;
            }
        }
        return new FaceQuality(round(score, 4), round(detectorScore, 4), round(eyes, 1), round(yaw, 1), round(roll, 1),
                round(sharpness, 1), round(mean, 1), round(clipped, 4), factors[weakest] >= 1 ? "none" : names[weakest]);
    }

    /** 0 at or below {@code zero}, 1 at or above {@code one}, linear between. */
    static double ramp(double v, double zero, double one) {
        return Math.max(0, Math.min(1, (v - zero) / (one - zero)));
    }

    private static double[] grey(AlignedFace face) {
        byte[] bgr = face.bgr();
        double[] grey = new double[bgr.length / 3];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = 0.114 * (bgr[3 * i] & 0xFF) + 0.587 * (bgr[3 * i + 1] & 0xFF) + 0.299 * (bgr[3 * i + 2] & 0xFF);
        }
        return grey;
    }

    static double laplacianVariance(double[] grey, int size) {
        double sum = 0;
        double sum2 = 0;
        int n = 0;
        for (int y = 1; y < size - 1; y++) {
            for (int x = 1; x < size - 1; x++) {
                int i = y * size + x;
                double l = grey[i - 1] + grey[i + 1] + grey[i - size] + grey[i + size] - 4 * grey[i];
                sum += l;
                sum2 += l * l;
                n++;
            }
        }
        double mean = sum / n;
        return sum2 / n - mean * mean;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
