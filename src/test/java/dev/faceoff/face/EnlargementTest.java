package dev.faceoff.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import dev.faceoff.alignment.SimilarityTransform;

/** How much the warp onto the template enlarges a face: what decides whether a reduced decode is aligned from. */
class EnlargementTest {

    /** The template's points scaled by {@code factor}, turned a quarter and moved: a face of that size. */
    static double[] face(double factor) {
        double[] t = SimilarityTransform.ARCFACE_112;
        double[] p = new double[t.length];
        for (int i = 0; i < t.length; i += 2) {
            p[i] = 900 - t[i + 1] * factor;
            p[i + 1] = 300 + t[i] * factor;
        }
        return p;
    }

    @Test
    void aFaceAsLargeAsTheTemplateIsNotEnlarged() {
        assertThat(FacePipeline.enlargement(face(1))).isCloseTo(1, within(1e-9));
    }

    @Test
    void aFaceOfFewerPixelsIsEnlargedByTheirRatio() {
        // the flat 12 MP canvas's face at 1/8: eyes 22 px of the template's 35, aligned from 1/4 (44 px)
        double atAnEighth = FacePipeline.enlargement(face(22 / 35.24));
        assertThat(atAnEighth).isCloseTo(35.24 / 22, within(1e-6));
        assertThat(FacePipeline.enlargement(face(2 * 22 / 35.24))).isLessThan(1);
        assertThat(FacePipeline.enlargement(face(4))).isCloseTo(0.25, within(1e-9));
    }
}
