package dev.faceoff.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import dev.faceoff.alignment.AlignedFace;

class VectorsTest {

    @Test
    void cosineOfParallelOrthogonalOppositeAndZeroVectors() {
        assertThat(Vectors.cosine(new float[]{1, 2, 3}, new float[]{2, 4, 6})).isCloseTo(1, within(1e-12));
        assertThat(Vectors.cosine(new float[]{1, 0}, new float[]{0, 5})).isCloseTo(0, within(1e-12));
        assertThat(Vectors.cosine(new float[]{1, 1}, new float[]{-1, -1})).isCloseTo(-1, within(1e-12));
        assertThat(Vectors.cosine(new float[]{0, 0}, new float[]{1, 1})).isZero();
        assertThat(Vectors.cosine(new float[]{3, 4}, new float[]{4, 3})).isCloseTo(24.0 / 25.0, within(1e-12));
    }

    @Test
    void normalizeGivesUnitLength() {
        float[] v = Vectors.normalize(new float[]{3, 4});
        assertThat(v).containsExactly(0.6f, 0.8f);
        assertThat(Vectors.normalize(new float[]{0, 0})).containsExactly(0f, 0f);
    }

    @Test
    void mirrorFlipsEachRowAndKeepsChannels() {
        byte[] pixels = new byte[2 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        byte[] mirrored = EmbeddingModel.mirror(new AlignedFace(pixels, 2)).bgr();
        assertThat(mirrored).containsExactly(3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8);
    }
}
