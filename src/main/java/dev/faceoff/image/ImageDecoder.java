package dev.faceoff.image;

import dev.faceoff.common.NativeLedger;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.stereotype.Component;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

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
        return decode(bytes, Integer.MAX_VALUE);
    }

    /**
     * Decodes a JPEG at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling: several times faster than a full
     * decode, and a fraction of the memory) when its longer side stays at least {@code minSide}; other
     * formats and smaller JPEGs at full size. {@link DecodedImage#scale()} says which.
     */
    public DecodedImage decode(byte[] bytes, int minSide) {
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
        int reduce = reduction(header, minSide);
        int flags = switch (reduce) {
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            default -> Imgcodecs.IMREAD_COLOR;
        };
        Mat bgr;
        try (var closer = new MatCloser(NativeLedger.open(new MatOfByte(bytes)))) {
            bgr = NativeLedger.open(Imgcodecs.imdecode(closer.mat(), flags));
        }
        if (bgr.empty()) {
            NativeLedger.release(bgr);
            throw new FaceoffException(ErrorCode.CORRUPT_IMAGE, "the " + header.format().name()
                    + " image could not be decoded (truncated or damaged)");
        }
        return new DecodedImage(bgr, (double) Math.max(bgr.cols(), bgr.rows()) / Math.max(header.width(), header.height()));
    }

    /**
     * The memory an image's pixels take while the pipeline prepares it, from its header, when its first look is
     * decoded keeping the longer side at least {@code minSide}: {@value #BYTES_PER_PIXEL} bytes a pixel of that
     * decode (3 for BGR, 12 for a padded working copy of at most 4 times the pixels); when that decode is
     * reduced, {@value #FINER_BYTES_PER_PIXEL} more a pixel of the image as sent, for the finer decodes (the
     * closer look's, at most a quarter of the pixels, and alignment's, full size at worst, with a turned copy).
     * A header the decoder refuses (unreadable, over {@code faceoff.image.max-pixels}) costs nothing: it is
     * never decoded.
     */
    public long workingBytes(byte[] bytes, int minSide) {
        ImageHeader header;
        try {
            header = ImageHeader.read(bytes);
        } catch (FaceoffException e) {
            return 0;
        }
        if (header.pixels() > limits.maxPixels()) {
            return 0;
        }
        int r = reduction(header, minSide);
        long first = (long) ((header.width() + r - 1) / r) * ((header.height() + r - 1) / r);
        return first * BYTES_PER_PIXEL + (r > 1 ? header.pixels() * FINER_BYTES_PER_PIXEL : 0);
    }

    static final int BYTES_PER_PIXEL = 15;
    static final int FINER_BYTES_PER_PIXEL = 7;

    /** The JPEG DCT scaling (1, 2, 4 or 8) that keeps the longer side at least {@code minSide}. */
    static int reduction(ImageHeader header, int minSide) {
        if (header.format() != ImageHeader.Format.JPEG) {
            return 1;
        }
        int longer = Math.max(header.width(), header.height());
        for (int r = 8; r >= 2; r /= 2) {
            if (longer / r >= minSide) {
                return r;
            }
        }
        return 1;
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
        // from the end: the marker is where a complete file ends (a phone photo's 4 MB are not read twice)
        for (int j = b.length - 2; j >= i + 2; j--) {
            if ((b[j] & 0xFF) == 0xFF && (b[j + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    private record MatCloser(Mat mat) implements AutoCloseable {
        @Override
        public void close() {
            NativeLedger.release(mat);
        }
    }
}
