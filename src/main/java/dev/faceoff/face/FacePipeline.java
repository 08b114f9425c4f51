package dev.faceoff.face;

import java.util.List;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.alignment.FaceAligner;
import dev.faceoff.alignment.FivePoints;
import dev.faceoff.alignment.LandmarkModel;
import dev.faceoff.alignment.SimilarityTransform;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.detection.FaceDetector;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.image.DecodedImage;
import dev.faceoff.image.ImageDecoder;
import dev.faceoff.common.StageTimings;
import dev.faceoff.common.StageTimings.Stage;

/**
 * Bytes → aligned face: decode (a large JPEG at reduced scale), pad, detect, choose a face, its five points
 * (from the detector, or 68 landmarks → 5), warp to the template (from full-size pixels when the reduced
 * copy has too few).
 * The service, {@code evaluate} and {@code align} all use this one path.
 */
@Component
public final class FacePipeline {

    private final ImageDecoder decoder;
    private final FaceDetector detector;
    private final LandmarkModel landmarks;
    private final FaceAligner aligner;
    private final DetectionProperties detection;

    FacePipeline(ImageDecoder decoder, FaceDetector detector, LandmarkModel landmarks, FaceAligner aligner,
                 DetectionProperties detection) {
        this.detection = detection;
        this.decoder = decoder;
        this.detector = detector;
        this.landmarks = landmarks;
        this.aligner = aligner;
    }

    /**
     * @param which names the image in error messages ("image1")
     * @throws dev.faceoff.common.FaceoffException with the stable code of what went wrong
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings) {
        return prepare(bytes, selection, which, timings, detection.pad());
    }

    /**
     * @param pad a border added around the image before detection, as a fraction of its larger side
     *            (replicated edge pixels): helps on tight, pre-cropped faces (serving: faceoff.detection.pad).
     *            Boxes and points are reported in the original image's coordinates.
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings, double pad) {
        long t = timings.start();
        // a large JPEG is decoded at reduced scale, no smaller than the detector's input (faceoff.detection.max-side)
        try (DecodedImage image = decoder.decode(bytes, detection.maxSide())) {
            timings.stop(Stage.DECODE, t);
            int border = (int) Math.round(pad * Math.max(image.width(), image.height()));
            Mat bgr = image.bgr();
            if (border > 0) {
                bgr = new Mat();
                Core.copyMakeBorder(image.bgr(), bgr, border, border, border, border, Core.BORDER_REPLICATE);
            }
            try {
                return prepare(bytes, image, bgr, border, selection, which, timings);
            } finally {
                if (border > 0) {
                    bgr.release();
                }
            }
        }
    }

    private PreparedFace prepare(byte[] bytes, DecodedImage image, Mat bgr, int border, FaceSelection selection,
                                 String which, StageTimings timings) {
        long t = timings.start();
        List<DetectedFace> faces = detector.detect(bgr);
        timings.stop(Stage.DETECT, t);
        DetectedFace face = selection.choose(faces, bgr.cols(), bgr.rows(), which);

        if (face.points5() == null) {   // RFB-320: the landmark model finds the points
            t = timings.start();
            face = new DetectedFace(face.box(), face.score(), FivePoints.from68(landmarks.predict(bgr, face.box())));
            timings.stop(Stage.LANDMARKS, t);
        }

        t = timings.start();
        double toOriginal = 1 / image.scale();
        AlignedFace aligned;
        if (image.scale() < 1 && eyeDistance(face.points5()) < ALIGN_MIN_EYE_DISTANCE) {
            // too few pixels in the reduced copy: align from a full-size decode
            try (DecodedImage full = decoder.decode(bytes)) {
                aligned = aligner.align(full.bgr(), face.shifted(-border, -border).scaled(toOriginal).points5());
            }
        } else {
            aligned = aligner.align(bgr, face.points5());
        }
        timings.stop(Stage.ALIGN, t);
        face = face.shifted(-border, -border).scaled(toOriginal);   // reported in the pixels of the image as sent
        FaceQuality quality = FaceQuality.of(face.points5(), aligned, face.score());
        int width = (int) Math.round(image.width() * toOriginal);
        int height = (int) Math.round(image.height() * toOriginal);
        return new PreparedFace(aligned, face, face.points5(), width, height, faces.size(), quality);
    }

    /**
     * Eye distance (decoded pixels) below which a face found in a reduced decode is aligned from full-size
     * pixels instead: 1.5 × the template's (35 px of 112), so the warp never has to enlarge.
     */
    static final double ALIGN_MIN_EYE_DISTANCE = 1.5 * (SimilarityTransform.ARCFACE_112[2] - SimilarityTransform.ARCFACE_112[0]);

    private static double eyeDistance(double[] p) {
        return Math.hypot(p[2] - p[0], p[3] - p[1]);
    }
}
