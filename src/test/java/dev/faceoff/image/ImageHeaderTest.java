package dev.faceoff.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

class ImageHeaderTest {

    @Test
    void jpegSizeComesFromTheFrameHeaderAfterOtherSegments() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8,
                (byte) 0xFF, (byte) 0xE0, 0, 4, 1, 2,                       // APP0, 2 bytes of payload
                (byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0x01, 0x2C, 0x02, 0x58, 3, 0, 0, 0};  // SOF0 300 high, 600 wide
        assertThat(ImageHeader.read(jpeg)).isEqualTo(new ImageHeader(ImageHeader.Format.JPEG, 600, 300));
    }

    @Test
    void pngSizeComesFromIhdr() {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        b.putInt(20000).putInt(20000);
        assertThat(ImageHeader.read(b.array())).isEqualTo(new ImageHeader(ImageHeader.Format.PNG, 20000, 20000));
    }

    @Test
    void webpLossyLosslessAndExtended() {
        byte[] vp8 = riff("VP8 ");
        vp8[26] = (byte) 0x40; vp8[27] = 0x01;   // 320
        vp8[28] = (byte) 0xF0; vp8[29] = 0x00;   // 240
        assertThat(ImageHeader.read(vp8)).isEqualTo(new ImageHeader(ImageHeader.Format.WEBP, 320, 240));

        byte[] vp8l = riff("VP8L");
        int bits = (100 - 1) | ((50 - 1) << 14);
        ByteBuffer.wrap(vp8l, 21, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(bits);
        assertThat(ImageHeader.read(vp8l)).isEqualTo(new ImageHeader(ImageHeader.Format.WEBP, 100, 50));

        byte[] vp8x = riff("VP8X");
        vp8x[24] = (byte) 0xFF; vp8x[25] = 0x03;  // 1023 + 1
        vp8x[27] = 0x00; vp8x[28] = 0x02;         // 512 + 1
        assertThat(ImageHeader.read(vp8x)).isEqualTo(new ImageHeader(ImageHeader.Format.WEBP, 1024, 513));
    }

    @Test
    void bmpTopDownHeightIsPositive() {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').position(14);
        b.putInt(40).putInt(64).putInt(-48);
        assertThat(ImageHeader.read(b.array())).isEqualTo(new ImageHeader(ImageHeader.Format.BMP, 64, 48));
    }

    @Test
    void unknownBytesAreUnsupportedAndBrokenHeadersCorrupt() {
        assertThatThrownBy(() -> ImageHeader.read("GIF89a........".getBytes()))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_IMAGE));
        assertThatThrownBy(() -> ImageHeader.read(new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 4}))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE));
        assertThatThrownBy(() -> ImageHeader.read(new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE));
    }

    @Test
    void endOfImageIsLookedForAfterTheScanNotInAThumbnail() {
        byte[] withThumbnailOnly = {(byte) 0xFF, (byte) 0xD8,
                (byte) 0xFF, (byte) 0xE1, 0, 6, (byte) 0xFF, (byte) 0xD9, 0, 0,     // APP1 holding FF D9
                (byte) 0xFF, (byte) 0xDA, 0, 2, 1, 2, 3};                          // scan, cut short
        assertThat(ImageDecoder.hasEndOfImage(withThumbnailOnly)).isFalse();
        byte[] complete = java.util.Arrays.copyOf(withThumbnailOnly, withThumbnailOnly.length + 2);
        complete[complete.length - 2] = (byte) 0xFF;
        complete[complete.length - 1] = (byte) 0xD9;
        assertThat(ImageDecoder.hasEndOfImage(complete)).isTrue();
    }

    private static byte[] riff(String chunk) {
        byte[] b = new byte[40];
        System.arraycopy("RIFF".getBytes(), 0, b, 0, 4);
        System.arraycopy("WEBP".getBytes(), 0, b, 8, 4);
        System.arraycopy(chunk.getBytes(), 0, b, 12, 4);
        return b;
    }
}
