package dev.faceoff.image;

import dev.faceoff.common.NativeLedger;
import org.opencv.core.Mat;

/**
 * Decoded BGR pixels (EXIF orientation applied). Owns native memory outside the Java heap: close it in
 * the method that obtained it (try-with-resources).
 */
public final class DecodedImage implements AutoCloseable {

    private final Mat bgr;
    private final double scale;

    DecodedImage(Mat bgr, double scale) {
        this.bgr = bgr;
        this.scale = scale;
    }

    /** Decoded pixels per pixel of the image as sent: 1, or 1/2, 1/4, 1/8 for a JPEG decoded at reduced scale. */
    public double scale() {
        return scale;
    }

    public Mat bgr() {
        return bgr;
    }

    public int width() {
        return bgr.cols();
    }

    public int height() {
        return bgr.rows();
    }

    @Override
    public void close() {
        NativeLedger.release(bgr);
    }
}
