package dev.faceoff.evaluation;

import java.util.Locale;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.detection.DetectedFace;

/**
 * The robustness suite's image transforms: each turns a photo and its face (box and five points, found on
 * the untouched photo) into the kind of photo users send. Deterministic; the caller releases the result.
 */
enum Transforms {
    /** the photo as it is */
    NONE,
    /** cropped to the detector's box: the face fills the frame */
    TIGHT,
    /** the tight crop scaled so its longer side is 64, 48 or 32 px */
    DOWN64, DOWN48, DOWN32,
    /** sunglasses-like dark lenses drawn over the eyes */
    SUNGLASSES,
    /** a mask-like light shape drawn from the nose bridge to the chin */
    MASK,
    /** the photo enlarged 4× onto a 4000×3000 (12-megapixel) canvas, off centre */
    CANVAS12MP,
    /** turned 90° clockwise, without an EXIF orientation to undo it */
    ROT90;

    static Transforms parse(String name) {
        return valueOf(name.strip().toUpperCase(Locale.ROOT));
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transformed photo (a new Mat). */
    Mat apply(Mat bgr, DetectedFace face) {
        return switch (this) {
            case NONE -> bgr.clone();
            case TIGHT -> tight(bgr, face);
            case DOWN64 -> down(bgr, face, 64);
            case DOWN48 -> down(bgr, face, 48);
            case DOWN32 -> down(bgr, face, 32);
            case SUNGLASSES -> sunglasses(bgr, face.points5());
            case MASK -> mask(bgr, face.points5());
            case CANVAS12MP -> canvas(bgr, 4000, 3000, 4);
            case ROT90 -> {
                Mat out = new Mat();
                Core.rotate(bgr, out, Core.ROTATE_90_CLOCKWISE);
                yield out;
            }
        };
    }

    /** JPEG bytes (quality 92) of an image. */
    static byte[] jpeg(Mat bgr) {
        MatOfByte buffer = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 92);
        try {
            Imgcodecs.imencode(".jpg", bgr, buffer, params);
            return buffer.toArray();
        } finally {
            buffer.release();
            params.release();
        }
    }

    private static Mat tight(Mat bgr, DetectedFace face) {
        var b = face.box();
        int x1 = clamp((int) Math.round(b.x1()), 0, bgr.cols() - 1);
        int y1 = clamp((int) Math.round(b.y1()), 0, bgr.rows() - 1);
        int x2 = clamp((int) Math.round(b.x2()), x1 + 1, bgr.cols());
        int y2 = clamp((int) Math.round(b.y2()), y1 + 1, bgr.rows());
        Mat roi = bgr.submat(new Rect(x1, y1, x2 - x1, y2 - y1));
        try {
            return roi.clone();
        } finally {
            roi.release();
        }
    }

    private static Mat down(Mat bgr, DetectedFace face, int side) {
        Mat crop = tight(bgr, face);
        try {
            double s = (double) side / Math.max(crop.cols(), crop.rows());
            Mat out = new Mat();
            Imgproc.resize(crop, out, new Size(Math.max(1, Math.round(crop.cols() * s)),
                    Math.max(1, Math.round(crop.rows() * s))), 0, 0, Imgproc.INTER_AREA);
            return out;
        } finally {
            crop.release();
        }
    }

    /** A point at (a, b) eye distances along and below the eye line, from the eyes' midpoint. */
    private static Point frame(double[] p, double a, double b) {
        double mx = (p[0] + p[2]) / 2;
        double my = (p[1] + p[3]) / 2;
        double ux = (p[2] - p[0]);
        double uy = (p[3] - p[1]);
        // u along the eye line (length d), v perpendicular to it, pointing down the face
        return new Point(mx + a * ux - b * uy, my + a * uy + b * ux);
    }

    private static Mat sunglasses(Mat bgr, double[] p) {
        Mat out = bgr.clone();
        double d = Math.hypot(p[2] - p[0], p[3] - p[1]);
        double angle = Math.toDegrees(Math.atan2(p[3] - p[1], p[2] - p[0]));
        Scalar lens = new Scalar(18, 18, 22);
        for (int eye = 0; eye < 2; eye++) {
            Imgproc.ellipse(out, new Point(p[2 * eye], p[2 * eye + 1]), new Size(0.45 * d, 0.30 * d), angle, 0, 360,
                    lens, -1, Imgproc.LINE_AA);
        }
        Imgproc.line(out, frame(p, -0.1, -0.05), frame(p, 0.1, -0.05), lens, Math.max(1, (int) Math.round(0.08 * d)),
                Imgproc.LINE_AA);
        return out;
    }

    private static Mat mask(Mat bgr, double[] p) {
        Mat out = bgr.clone();
        double[][] shape = {{-0.95, 0.35}, {-0.2, 0.25}, {0.2, 0.25}, {0.95, 0.35}, {1.0, 1.15}, {0.6, 1.75},
                {0.0, 1.95}, {-0.6, 1.75}, {-1.0, 1.15}};
        Point[] points = new Point[shape.length];
        for (int i = 0; i < shape.length; i++) {
            points[i] = frame(p, shape[i][0], shape[i][1]);
        }
        MatOfPoint polygon = new MatOfPoint(points);
        try {
            Imgproc.fillPoly(out, java.util.List.of(polygon), new Scalar(225, 205, 175), Imgproc.LINE_AA);
        } finally {
            polygon.release();
        }
        return out;
    }

    /**
     * The photo enlarged {@code enlarge}× onto a {@code width}×{@code height} canvas with a soft horizontal
     * gradient, its top-left corner at 3/5 of the width and 7/30 of the height (moved in to fit).
     */
    static Mat canvas(Mat bgr, int width, int height, double enlarge) {
        Mat out = new Mat(height, width, CvType.CV_8UC3);
        // a soft horizontal gradient, so the background is not one flat colour
        Mat row = new Mat(1, width, CvType.CV_8UC3);
        for (int x = 0; x < width; x++) {
            int v = 90 + (int) Math.round(60.0 * x / (width - 1));
            row.put(0, x, v, v + 10, v + 20);
        }
        Mat big = new Mat();
        try {
            Core.repeat(row, height, 1, out);
            Imgproc.resize(bgr, big, new Size(bgr.cols() * enlarge, bgr.rows() * enlarge), 0, 0, Imgproc.INTER_CUBIC);
            int x = Math.max(0, Math.min(width - big.cols(), width * 3 / 5));
            int y = Math.max(0, Math.min(height - big.rows(), height * 7 / 30));
            Mat target = out.submat(new Rect(x, y, big.cols(), big.rows()));
            big.copyTo(target);
            target.release();
            return out;
        } finally {
            row.release();
            big.release();
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
