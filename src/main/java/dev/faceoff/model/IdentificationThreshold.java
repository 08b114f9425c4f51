package dev.faceoff.model;

import java.util.List;

/**
 * The open-set identification threshold for a gallery: a probe is compared with each of the gallery's {@code N}
 * subjects, so at a per-comparison false-accept rate p the false-positive identification rate is
 * FPIR = 1 − (1 − p)^N, and the target FPIR needs p = 1 − (1 − FPIR)^(1/N). The cosine threshold at p is read from
 * the model's impostor tail ({@link ModelManifest.Identification}) by interpolating linearly in log FAR between
 * its two neighbouring points. Pure.
 *
 * @param fpir        the target false-positive identification rate
 * @param gallerySize N, the subjects a probe is compared with
 * @param far         p, the per-comparison false-accept rate that gives {@code fpir} at {@code gallerySize}
 * @param cosine      the threshold (a comparison matches when its cosine is at or above it)
 * @param coverage    whether p lies within the calibrated tail
 */
public record IdentificationThreshold(double fpir, long gallerySize, double far, double cosine, Coverage coverage) {

    /** p computed from FPIR and N may miss a tail point's FAR by rounding (N = 1: p = FPIR): within this, it is on it. */
    private static final double ROUNDING = 1e-9;

    /** Where p lies against the tail's FARs. */
    public enum Coverage {
        /** Within the calibrated FARs: a tail point's threshold or one interpolated between two. */
        CALIBRATED,
        /**
         * Below the deepest calibrated FAR: the deepest point's threshold, which accepts more impostors than p allows,
         * so the gallery's FPIR may exceed the target (the impostor pairs cannot measure thresholds that deep).
         */
        BEYOND_CALIBRATION,
        /** Above the shallowest calibrated FAR: the shallowest point's threshold, stricter than p needs (FPIR below the target). */
        ABOVE_CALIBRATION
    }

    /** True when p is deeper than the tail was calibrated to: the FPIR at this threshold may exceed the target. */
    public boolean beyondCalibration() {
        return coverage == Coverage.BEYOND_CALIBRATION;
    }

    /** p = 1 − (1 − FPIR)^(1/N), computed without losing the small p to rounding. */
    public static double perComparisonFar(double fpir, long gallerySize) {
        if (!(fpir > 0 && fpir < 1)) {
            throw new IllegalArgumentException("the target FPIR must lie in (0, 1), got " + fpir);
        }
        if (gallerySize < 1) {
            throw new IllegalArgumentException("a gallery needs at least one subject, got " + gallerySize);
        }
        return -Math.expm1(Math.log1p(-fpir) / gallerySize);
    }

    /** The threshold for {@code fpir} at {@code gallerySize} from a non-empty tail, shallowest FAR first. */
    static IdentificationThreshold of(List<ModelManifest.TailPoint> tail, double fpir, long gallerySize) {
        if (tail.isEmpty()) {
            throw new IllegalArgumentException("no impostor tail to read a threshold from");
        }
        double p = perComparisonFar(fpir, gallerySize);
        ModelManifest.TailPoint shallowest = tail.get(0);
        ModelManifest.TailPoint deepest = tail.get(tail.size() - 1);
        if (p > shallowest.far() * (1 + ROUNDING)) {
            return new IdentificationThreshold(fpir, gallerySize, p, shallowest.cosine(), Coverage.ABOVE_CALIBRATION);
        }
        if (p < deepest.far() * (1 - ROUNDING)) {
            return new IdentificationThreshold(fpir, gallerySize, p, deepest.cosine(), Coverage.BEYOND_CALIBRATION);
        }
        double q = Math.min(shallowest.far(), Math.max(deepest.far(), p));   // p on an end point, up to rounding
        for (int i = 0; i + 1 < tail.size(); i++) {
            ModelManifest.TailPoint upper = tail.get(i);
            ModelManifest.TailPoint lower = tail.get(i + 1);
            if (q <= upper.far() && q >= lower.far()) {
                double t = (Math.log(q) - Math.log(upper.far())) / (Math.log(lower.far()) - Math.log(upper.far()));
                double cosine = upper.cosine() + t * (lower.cosine() - upper.cosine());
                return new IdentificationThreshold(fpir, gallerySize, p, cosine, Coverage.CALIBRATED);
            }
        }
        return new IdentificationThreshold(fpir, gallerySize, p, shallowest.cosine(), Coverage.CALIBRATED);   // a one-point tail
    }
}
