package dev.faceoff.alignment;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.model.Pixels;

/** Warps a face onto the 112×112 ArcFace template by the similarity transform of its 5 points. */
@Component
public final class FaceAligner {

    public AlignedFace align(Mat bgr, double[] fivePoints) {
        double[] m = SimilarityTransform.estimate(fivePoints, SimilarityTransform.ARCFACE_112);
        Mat matrix = new Mat(2, 3, CvType.CV_64F);
        Mat warped = new Mat();
        try {
            matrix.put(0, 0, m);
            Imgproc.warpAffine(bgr, warped, matrix, new Size(AlignedFace.SIZE, AlignedFace.SIZE),
                    Imgproc.INTER_LINEAR, Core.BORDER_CONSTANT, new Scalar(0, 0, 0));
            return new AlignedFace(Pixels.bytes(warped), AlignedFace.SIZE);
        } finally {
            matrix.release();
            warped.release();
        }
    }
}
