package dev.faceoff.face;

import dev.faceoff.common.NativeLedger;
import java.util.List;

import org.opencv.core.Core;
import org.opencv.core.Mat;

import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;

/** A quarter turn the pipeline may look for a face in, and the way back to the image's own coordinates. */
enum Rotation {
    NONE, CLOCKWISE, COUNTERCLOCKWISE, HALF;

    /** The turns tried, in order, when the upright image has no face. */
    static final List<Rotation> TRIED = List.of(CLOCKWISE, COUNTERCLOCKWISE, HALF);

    /** The image turned (a new Mat), or the same Mat for {@link #NONE}. */
    Mat apply(Mat bgr) {
        if (this == NONE) {
            return bgr;
        }
        Mat out = NativeLedger.open(new Mat());
        Core.rotate(bgr, out, switch (this) {
            case CLOCKWISE -> Core.ROTATE_90_CLOCKWISE;
            case COUNTERCLOCKWISE -> Core.ROTATE_90_COUNTERCLOCKWISE;
            default -> Core.ROTATE_180;
        });
        return out;
    }

    /** A point (x, y) of the turned image, in the unturned image of size width × height. */
    double[] undo(double x, double y, int width, int height) {
        return switch (this) {
            case NONE -> new double[]{x, y};
            case CLOCKWISE -> new double[]{y, height - x};
            case COUNTERCLOCKWISE -> new double[]{width - y, x};
            case HALF -> new double[]{width - x, height - y};
        };
    }

    /** A face found in the turned image, in the unturned image's coordinates (points keep their order). */
    DetectedFace undo(DetectedFace face, int width, int height) {
        if (this == NONE) {
            return face;
        }
        Box b = face.box();
        double[] c1 = undo(b.x1(), b.y1(), width, height);
        double[] c2 = undo(b.x2(), b.y2(), width, height);
        Box box = new Box(Math.min(c1[0], c2[0]), Math.min(c1[1], c2[1]), Math.max(c1[0], c2[0]), Math.max(c1[1], c2[1]));
        double[] points = face.points5().clone();
        for (int i = 0; i < points.length; i += 2) {
            double[] p = undo(points[i], points[i + 1], width, height);
            points[i] = p[0];
            points[i + 1] = p[1];
        }
        return new DetectedFace(box, face.score(), points);
    }
}
