package dev.faceoff.alignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AlignmentMathTest {

    @Test
    void recoversAKnownSimilarityTransformExactly() {
        double angle = Math.toRadians(17);
        double scale = 1.7;
        double a = scale * Math.cos(angle);
        double b = scale * Math.sin(angle);
        double[] truth = {a, -b, 12.5, b, a, -3.25};
        double[] src = {10, 20, 50, 18, 30, 40, 15, 60, 45, 61};
        double[] dst = SimilarityTransform.apply(truth, src);
        double[] m = SimilarityTransform.estimate(src, dst);
        for (int i = 0; i < 6; i++) {
            assertThat(m[i]).isCloseTo(truth[i], within(1e-9));
        }
    }

    @Test
    void theTemplateMapsOntoItselfByTheIdentity() {
        double[] m = SimilarityTransform.estimate(SimilarityTransform.ARCFACE_112, SimilarityTransform.ARCFACE_112);
        assertThat(m).containsExactly(new double[]{1, 0, 0, 0, 1, 0}, within(1e-12));
    }

    @Test
    void leastSquaresWithNoiseStaysCloseAndNeverReflects() {
        // a mirrored face: the best similarity cannot reflect, so the fit is a rotation (det > 0)
        double[] mirrored = SimilarityTransform.ARCFACE_112.clone();
        for (int i = 0; i < mirrored.length; i += 2) {
            mirrored[i] = 112 - mirrored[i];
        }
        double[] m = SimilarityTransform.estimate(mirrored, SimilarityTransform.ARCFACE_112);
        assertThat(m[0] * m[4] - m[1] * m[3]).isGreaterThanOrEqualTo(0);
        // small noise: the template is still hit within a pixel
        double[] noisy = SimilarityTransform.ARCFACE_112.clone();
        noisy[0] += 0.5;
        noisy[7] -= 0.5;
        double[] mapped = SimilarityTransform.apply(SimilarityTransform.estimate(noisy, SimilarityTransform.ARCFACE_112), noisy);
        for (int i = 0; i < mapped.length; i++) {
            assertThat(mapped[i]).isCloseTo(SimilarityTransform.ARCFACE_112[i], within(1.0));
        }
    }

    @Test
    void fivePointsFrom68AverageTheEyeLidsTakeTheNoseTipAndTheMouthCorners() {
        double[] p = new double[136];
        for (int i = 0; i < 68; i++) {
            p[2 * i] = i;           // x = index
            p[2 * i + 1] = 1000 + i; // y = 1000 + index
        }
        double[] five = FivePoints.from68(p);
        assertThat(five).containsExactly(new double[]{
                (37 + 38 + 40 + 41) / 4.0, 1000 + (37 + 38 + 40 + 41) / 4.0,
                (43 + 44 + 46 + 47) / 4.0, 1000 + (43 + 44 + 46 + 47) / 4.0,
                30, 1030,
                (48 + 60) / 2.0, 1000 + (48 + 60) / 2.0,
                (54 + 64) / 2.0, 1000 + (54 + 64) / 2.0}, within(1e-12));
    }

    @Test
    void landmarkCropIsTheBoxInWholePixelsInsideTheImage() {
        var rect = LandmarkModel.cropRect(new dev.faceoff.detection.Box(-5.5, 10.2, 80.4, 300), 100, 200);
        assertThat(rect.x).isZero();
        assertThat(rect.y).isEqualTo(10);
        assertThat(rect.x + rect.width).isEqualTo(81);
        assertThat(rect.y + rect.height).isEqualTo(200);
        double[] points = LandmarkModel.toImage(new float[]{0f, 0f, 1f, 0.5f}, rect);
        assertThat(points).containsExactly(new double[]{0, 10, 81, 10 + 95}, within(1e-6));
    }
}
