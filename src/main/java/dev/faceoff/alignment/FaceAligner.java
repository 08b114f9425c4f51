package dev.faceoff.alignment;

import dev.faceoff.common.NativeLedger;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.model.Pixels;

/**
 * Warps a face onto the 112×112 ArcFace template by the similarity transform of its 5 points. A face much
 * larger than the template (transform scale below {@value #MIN_WARP_SCALE}) is first shrunk by area
 * averaging around its region, so the bilinear warp does not alias (a 12-megapixel selfie's face is
 * ~15× the template).
 */
@Component
public final class FaceAligner {

    static final double MIN_WARP_SCALE = 0.5;

    public AlignedFace align(Mat bgr, double[] fivePoints) {
        double[] m = SimilarityTransform.estimate(fivePoints, SimilarityTransform.ARCFACE_112);
        double scale = Math.hypot(m[0], m[3]);
        if (scale >= MIN_WARP_SCALE) {
            return warp(bgr, m);
        }
        Rect region = sourceRegion(m, bgr.cols(), bgr.rows());
        if (region.width < 2 || region.height < 2) {
            return warp(bgr, m);
        }
        double f = scale / MIN_WARP_SCALE;   // shrink so the remaining warp scales by MIN_WARP_SCALE
        Mat roi = NativeLedger.open(bgr.submat(region));
        Mat small = NativeLedger.open(new Mat());
        try {
            Imgproc.resize(roi, small, new Size(Math.max(1, Math.round(region.width * f)),
                    Math.max(1, Math.round(region.height * f))), 0, 0, Imgproc.INTER_AREA);
            double fx = (double) small.cols() / region.width;
            double fy = (double) small.rows() / region.height;
            double fs = (fx + fy) / 2;
            // p = q / fs + origin, so M(p) = (A / fs) q + (A origin + t)
            double[] shrunk = {m[0] / fs, m[1] / fs, m[0] * region.x + m[1] * region.y + m[2],
                    m[3] / fs, m[4] / fs, m[3] * region.x + m[4] * region.y + m[5]};
            return warp(small, shrunk);
        } finally {
            NativeLedger.release(roi);
            NativeLedger.release(small);
        }
    }

    /** The image pixels that the 112×112 output reads from, with a margin, clipped to the image. */
    static Rect sourceRegion(double[] m, int width, int height) {
        // inverse of [a -b; b a] is [a b; -b a] / (a² + b²)
        double a = m[0];
        double b = m[3];
        double det = a * a + b * b;
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (double[] c : new double[][]{{0, 0}, {AlignedFace.SIZE, 0}, {0, AlignedFace.SIZE}, {AlignedFace.SIZE, AlignedFace.SIZE}}) {
            double u = c[0] - m[2];
            double v = c[1] - m[5];
            double x = (a * u + b * v) / det;
            double y = (-b * u + a * v) / det;
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
        }
        int x1 = (int) Math.max(0, Math.floor(minX) - 2);
        int y1 = (int) Math.max(0, Math.floor(minY) - 2);
        int x2 = (int) Math.min(width, Math.ceil(maxX) + 2);
        int y2 = (int) Math.min(height, Math.ceil(maxY) + 2);
        return new Rect(x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1));
    }

    private static AlignedFace warp(Mat bgr, double[] m) {
        Mat matrix = NativeLedger.open(new Mat(2, 3, CvType.CV_64F));
        Mat warped = NativeLedger.open(new Mat());
        try {
            matrix.put(0, 0, m);
            Imgproc.warpAffine(bgr, warped, matrix, new Size(AlignedFace.SIZE, AlignedFace.SIZE),
                    Imgproc.INTER_LINEAR, Core.BORDER_CONSTANT, new Scalar(0, 0, 0));
            return new AlignedFace(Pixels.bytes(warped), AlignedFace.SIZE);
        } finally {
            NativeLedger.release(matrix);
            NativeLedger.release(warped);
        }
    }
}
