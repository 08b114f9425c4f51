package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faceoff.model.ModelManifest.Color;
import dev.faceoff.model.ModelManifest.Input;
import dev.faceoff.model.ModelManifest.Layout;

class PixelsTest {

    // one row of two BGR pixels: (b=10, g=20, r=30), (b=40, g=50, r=60)
    private static final byte[] BGR = {10, 20, 30, 40, 50, 60};

    private static Input input(Layout layout, Color color, List<Double> mean, List<Double> std) {
        List<Long> shape = layout == Layout.NCHW ? List.of(1L, 3L, 1L, 2L) : List.of(1L, 1L, 2L, 3L);
        return new Input("x", shape, layout, color, mean, std);
    }

    @Test
    void bgrInputKeepsTheChannelOrderAsPlanes() {
        float[] out = new float[6];
        Pixels.toTensor(input(Layout.NCHW, Color.BGR, List.of(0.0), List.of(1.0)), BGR, 1, 2, 3, out, 0);
        assertThat(out).containsExactly(10, 40, 20, 50, 30, 60);
    }

    @Test
    void rgbInputSwapsBlueAndRedAndNormalises() {
        float[] out = new float[7];
        Pixels.toTensor(input(Layout.NCHW, Color.RGB, List.of(127.5), List.of(128.0)), BGR, 1, 2, 3, out, 1);
        assertThat(out).containsExactly(0, (30 - 127.5f) / 128, (60 - 127.5f) / 128, (20 - 127.5f) / 128,
                (50 - 127.5f) / 128, (10 - 127.5f) / 128, (40 - 127.5f) / 128);
    }

    @Test
    void nhwcInterleavesTheChannelsPixelByPixel() {
        float[] out = new float[6];
        Pixels.toTensor(input(Layout.NHWC, Color.RGB, List.of(0.0), List.of(1.0)), BGR, 1, 2, 3, out, 0);
        assertThat(out).containsExactly(30, 20, 10, 60, 50, 40);
        Pixels.toTensor(input(Layout.NHWC, Color.BGR, List.of(0.0), List.of(1.0)), BGR, 1, 2, 3, out, 0);
        assertThat(out).containsExactly(10, 20, 30, 40, 50, 60);
    }

    /** Per-channel values apply in the tensor's channel order (RGB: red first), as ImageNet's are written. */
    @Test
    void perChannelMeanAndStdFollowTheTensorsChannels() {
        float[] out = new float[6];
        var imagenet = input(Layout.NCHW, Color.RGB, List.of(1.0, 2.0, 3.0), List.of(2.0, 4.0, 8.0));
        Pixels.toTensor(imagenet, BGR, 1, 2, 3, out, 0);
        assertThat(out).containsExactly((30 - 1f) / 2, (60 - 1f) / 2, (20 - 2f) / 4, (50 - 2f) / 4, (10 - 3f) / 8,
                (40 - 3f) / 8);
        Pixels.toTensor(input(Layout.NHWC, Color.RGB, List.of(1.0, 2.0, 3.0), List.of(2.0, 4.0, 8.0)), BGR, 1, 2, 3,
                out, 0);
        assertThat(out).containsExactly((30 - 1f) / 2, (20 - 2f) / 4, (10 - 3f) / 8, (60 - 1f) / 2, (50 - 2f) / 4,
                (40 - 3f) / 8);
    }

    @Test
    void greyNeedsOneChannel() {
        float[] out = new float[2];
        var grey = new Input("x", List.of(1L, 1L, 1L, 2L), Layout.NCHW, Color.GRAY, 0, 256);
        Pixels.toTensor(grey, new byte[]{(byte) 255, 0}, 1, 2, 1, out, 0);
        assertThat(out).containsExactly(255f / 256, 0f);
        assertThatThrownBy(() -> Pixels.toTensor(grey, BGR, 1, 2, 3, new float[6], 0))
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
            var input = new Input("x", List.of(1L, 3L, 16L, 16L), Layout.NCHW, color, mean, std);
            Pixels.toTensor(input, bgr, 16, 16, 3, out, 0);
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
