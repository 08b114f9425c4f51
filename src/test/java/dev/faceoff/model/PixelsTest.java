package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.faceoff.model.ModelManifest.Color;

class PixelsTest {

    // one row of two BGR pixels: (b=10, g=20, r=30), (b=40, g=50, r=60)
    private static final byte[] BGR = {10, 20, 30, 40, 50, 60};

    @Test
    void bgrInputKeepsTheChannelOrderAsPlanes() {
        float[] out = new float[6];
        Pixels.toChw(BGR, 1, 2, 3, Color.BGR, 0, 1, out, 0);
        assertThat(out).containsExactly(10, 40, 20, 50, 30, 60);
    }

    @Test
    void rgbInputSwapsBlueAndRedAndNormalises() {
        float[] out = new float[7];
        Pixels.toChw(BGR, 1, 2, 3, Color.RGB, 127.5, 128, out, 1);
        assertThat(out).containsExactly(0, (30 - 127.5f) / 128, (60 - 127.5f) / 128, (20 - 127.5f) / 128,
                (50 - 127.5f) / 128, (10 - 127.5f) / 128, (40 - 127.5f) / 128);
    }

    @Test
    void greyNeedsOneChannel() {
        float[] out = new float[2];
        Pixels.toChw(new byte[]{(byte) 255, 0}, 1, 2, 1, Color.GRAY, 0, 256, out, 0);
        assertThat(out).containsExactly(255f / 256, 0f);
        assertThatThrownBy(() -> Pixels.toChw(BGR, 1, 2, 3, Color.GRAY, 0, 1, new float[6], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The one-pass table version gives exactly the per-value formula, for every byte value and colour order. */
    @Test
    void everyValueIsNormalisedExactlyInEveryColourOrder() {
        byte[] bgr = new byte[256 * 3];
        for (int i = 0; i < bgr.length; i++) {
            bgr[i] = (byte) (i * 7 + i / 256);
        }
        double mean = 123.675;
        double std = 58.395;
        float scale = (float) (1.0 / std);
        for (Color color : new Color[]{Color.RGB, Color.BGR}) {
            float[] out = new float[bgr.length];
            Pixels.toChw(bgr, 16, 16, 3, color, mean, std, out, 0);
            for (int p = 0; p < 256; p++) {
                for (int c = 0; c < 3; c++) {
                    int source = color == Color.RGB ? 2 - c : c;
                    float expected = ((bgr[p * 3 + source] & 0xFF) - (float) mean) * scale;
                    assertThat(out[c * 256 + p]).as(color + " plane " + c + " pixel " + p).isEqualTo(expected);
                }
            }
        }
    }
}
