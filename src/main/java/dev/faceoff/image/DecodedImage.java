package dev.faceoff.image;

import org.opencv.core.Mat;

/**
 * Decoded BGR pixels (EXIF orientation applied). Owns native memory outside the Java heap: close it in
 * the method that obtained it (try-with-resources).
 */
public final class DecodedImage implements AutoCloseable {

    private final Mat bgr;

    DecodedImage(Mat bgr) {
        this.bgr = bgr;
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
        bgr.release();
    }
}
