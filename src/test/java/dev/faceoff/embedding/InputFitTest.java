package dev.faceoff.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.alignment.SimilarityTransform;
import dev.faceoff.image.OpenCvLoader;

/** The 5-point template fitted to inputs other than 112×112 (EmbeddingModel.fit). */
class InputFitTest {

    /** SphereFace's own 5-point template for its 96 wide, 112 high crops (Wen et al., the sphereface repository). */
    private static final double[] SPHEREFACE_96x112 = {
            30.2946, 51.6963, 65.5318, 51.5014, 48.0252, 71.7366, 33.5493, 92.3655, 62.7299, 92.2041};

    @BeforeAll
    static void opencv() {
        OpenCvLoader.load();
    }

    /** A 112×112 crop with a distinct value at each of the template's five points (rounded), zero elsewhere. */
    private static AlignedFace marked() {
        byte[] bgr = new byte[112 * 112 * 3];
        for (int k = 0; k < 5; k++) {
            int x = (int) Math.round(SimilarityTransform.ARCFACE_112[2 * k]);
            int y = (int) Math.round(SimilarityTransform.ARCFACE_112[2 * k + 1]);
            bgr[(y * 112 + x) * 3 + 1] = (byte) (50 * (k + 1));
        }
        return new AlignedFace(bgr, 112);
    }

    @Test
    void a112x96InputGetsSpherefacesTemplateByCroppingEightColumnsEachSide() {
        byte[] fitted = EmbeddingModel.fit(marked(), 96, 112);
        assertThat(fitted).hasSize(96 * 112 * 3);
        for (int k = 0; k < 5; k++) {
            int x = (int) Math.round(SPHEREFACE_96x112[2 * k]);
            int y = (int) Math.round(SPHEREFACE_96x112[2 * k + 1]);
            assertThat(fitted[(y * 96 + x) * 3 + 1] & 0xFF).as("point " + k).isEqualTo(50 * (k + 1));
            // the template maths itself: SphereFace's points are ArcFace's less 8 px in x, the same in y
            assertThat(SPHEREFACE_96x112[2 * k]).isCloseTo(SimilarityTransform.ARCFACE_112[2 * k] - 8, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(SPHEREFACE_96x112[2 * k + 1]).isEqualTo(SimilarityTransform.ARCFACE_112[2 * k + 1]);
        }
    }

    @Test
    void aWiderInputIsPaddedAboutTheCentreAndASquareOneScaled() {
        byte[] wide = EmbeddingModel.fit(marked(), 128, 112);
        int x = (int) Math.round(SimilarityTransform.ARCFACE_112[0]) + 8;
        int y = (int) Math.round(SimilarityTransform.ARCFACE_112[1]);
        assertThat(wide[(y * 128 + x) * 3 + 1] & 0xFF).isEqualTo(50);
        assertThat(EmbeddingModel.fit(marked(), 160, 160)).hasSize(160 * 160 * 3);
        AlignedFace face = marked();
        assertThat(EmbeddingModel.fit(face, 112, 112)).isSameAs(face.bgr());
    }
}
