package dev.faceoff.image;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.stereotype.Component;

import dev.faceoff.system.ErrorCode;
import dev.faceoff.system.FaceoffException;

/**
 * Bytes → BGR pixels, with limits: size in bytes, then format and pixel count from the header, then a
 * full decode (OpenCV; JPEG EXIF orientation honoured). Refusals carry stable error codes.
 */
@Component
public final class ImageDecoder {

    static {
        OpenCvLoader.load();
    }

    private final ImageProperties limits;

    public ImageDecoder(ImageProperties limits) {
        this.limits = limits;
    }

    public DecodedImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "image is empty");
        }
        if (bytes.length > limits.maxBytes().toBytes()) {
            throw new FaceoffException(ErrorCode.IMAGE_TOO_LARGE, "image has " + bytes.length
                    + " bytes; the limit is " + limits.maxBytes().toBytes());
        }
        ImageHeader header = ImageHeader.read(bytes);
        if (header.pixels() > limits.maxPixels()) {
            throw new FaceoffException(ErrorCode.IMAGE_TOO_LARGE, "image is " + header.width() + "x"
                    + header.height() + " pixels; the limit is " + limits.maxPixels() + " pixels");
        }
        if (header.format() == ImageHeader.Format.JPEG && !hasEndOfImage(bytes)) {
            throw new FaceoffException(ErrorCode.CORRUPT_IMAGE, "truncated JPEG: no end-of-image marker");
        }
        Mat bgr;
        try (var closer = new MatCloser(new MatOfByte(bytes))) {
            bgr = Imgcodecs.imdecode(closer.mat(), Imgcodecs.IMREAD_COLOR);
        }
        if (bgr.empty()) {
            bgr.release();
            throw new FaceoffException(ErrorCode.CORRUPT_IMAGE, "the " + header.format().name()
                    + " image could not be decoded (truncated or damaged)");
        }
        return new DecodedImage(bgr);
    }

    /**
     * True when an end-of-image marker follows the first scan. Entropy-coded data cannot contain FF D9,
     * so its absence means the file was cut short. Segments before the scan (APPn, holding e.g. an EXIF
     * thumbnail with its own FF D9) are skipped by their lengths.
     */
    static boolean hasEndOfImage(byte[] b) {
        int i = 2;
        while (i + 4 <= b.length) {
            int marker = b[i + 1] & 0xFF;
            if ((b[i] & 0xFF) != 0xFF) {
                return false;
            }
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            if (marker == 0xDA) {
                break;
            }
            i += 2 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
        }
        for (int j = i + 2; j + 1 < b.length; j++) {
            if ((b[j] & 0xFF) == 0xFF && (b[j + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    private record MatCloser(Mat mat) implements AutoCloseable {
        @Override
        public void close() {
            mat.release();
        }
    }
}
