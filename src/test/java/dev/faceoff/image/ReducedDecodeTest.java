package dev.faceoff.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.util.unit.DataSize;

/** Large JPEGs decode at 1/2, 1/4 or 1/8 scale, never below the side asked for; other formats at full size. */
class ReducedDecodeTest {

    static {
        OpenCvLoader.load();
    }

    final ImageDecoder decoder = new ImageDecoder(new ImageProperties(DataSize.ofMegabytes(10), 40_000_000));

    static byte[] encoded(String ext, int width, int height) {
        Mat m = new Mat(height, width, CvType.CV_8UC3, new Scalar(40, 120, 200));
        MatOfByte buffer = new MatOfByte();
        Imgcodecs.imencode(ext, m, buffer);
        byte[] bytes = buffer.toArray();
        m.release();
        buffer.release();
        return bytes;
    }

    @Test
    void theReductionKeepsTheLongerSideAtLeastMinSide() {
        var jpeg = ImageHeader.Format.JPEG;
        assertThat(ImageDecoder.reduction(new ImageHeader(jpeg, 4000, 3000), 640)).isEqualTo(4);   // 1000 px
        assertThat(ImageDecoder.reduction(new ImageHeader(jpeg, 3000, 4000), 640)).isEqualTo(4);
        assertThat(ImageDecoder.reduction(new ImageHeader(jpeg, 6000, 4000), 640)).isEqualTo(8);   // 750 px
        assertThat(ImageDecoder.reduction(new ImageHeader(jpeg, 1279, 900), 640)).isEqualTo(1);
        assertThat(ImageDecoder.reduction(new ImageHeader(jpeg, 250, 250), 640)).isEqualTo(1);
        assertThat(ImageDecoder.reduction(new ImageHeader(ImageHeader.Format.PNG, 4000, 3000), 640)).isEqualTo(1);
    }

    @Test
    void aLargeJpegDecodesReducedAndSaysItsScale() {
        try (DecodedImage image = decoder.decode(encoded(".jpg", 2000, 1400), 640)) {   // 1/4 would be 500 px
            assertThat(image.width()).isEqualTo(1000);
            assertThat(image.height()).isEqualTo(700);
            assertThat(image.scale()).isEqualTo(0.5);
        }
        try (DecodedImage image = decoder.decode(encoded(".jpg", 2600, 1400))) {
            assertThat(image.width()).isEqualTo(2600);
            assertThat(image.scale()).isEqualTo(1.0);
        }
        try (DecodedImage image = decoder.decode(encoded(".png", 2600, 1400), 640)) {
            assertThat(image.width()).isEqualTo(2600);
            assertThat(image.scale()).isEqualTo(1.0);
        }
    }

    @Test
    void anImageCostsItsFirstLooksPixelsAndWhenReducedTheFinerDecodes() {
        byte[] jpeg = encoded(".jpg", 4000, 3000);   // first look at 1/8 for 480: 500×375
        assertThat(decoder.workingBytes(jpeg, 480))
                .isEqualTo(500L * 375 * ImageDecoder.BYTES_PER_PIXEL + 4000L * 3000 * ImageDecoder.FINER_BYTES_PER_PIXEL);
        byte[] small = encoded(".jpg", 250, 250);
        assertThat(decoder.workingBytes(small, 480)).as("not reduced: no finer decode")
                .isEqualTo(250L * 250 * ImageDecoder.BYTES_PER_PIXEL);
        byte[] png = encoded(".png", 20, 10);
        assertThat(decoder.workingBytes(png, 480)).isEqualTo(200L * ImageDecoder.BYTES_PER_PIXEL);
        assertThat(decoder.workingBytes(new byte[]{1, 2, 3}, 480)).as("unreadable: never decoded").isZero();
        ImageDecoder strict = new ImageDecoder(new ImageProperties(DataSize.ofMegabytes(10), 199));
        assertThat(strict.workingBytes(png, 480)).as("over faceoff.image.max-pixels: refused before decoding").isZero();
    }
}
