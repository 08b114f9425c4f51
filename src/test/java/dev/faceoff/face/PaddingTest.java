package dev.faceoff.face;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PaddingTest {

    @Test
    void aboutSquareImagesArePaddedByAQuarterOfTheirLongerSide() {
        assertThat(FacePipeline.border(0.25, 250, 250)).isEqualTo(63);
        assertThat(FacePipeline.border(0.25, 300, 200)).isEqualTo(75);
        assertThat(FacePipeline.border(0, 250, 250)).isZero();
    }

    @Test
    void stripsAreNotPaddedIntoGigapixelImages() {
        assertThat(FacePipeline.border(0.25, 65535, 1)).isZero();
        assertThat(FacePipeline.border(0.25, 1, 30000)).isZero();
        assertThat(FacePipeline.border(0.25, 400, 100)).isZero();
    }
}
