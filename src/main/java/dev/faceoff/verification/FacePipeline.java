package dev.faceoff.verification;

import java.util.List;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.springframework.stereotype.Component;

import dev.faceoff.alignment.FaceAligner;
import dev.faceoff.alignment.FivePoints;
import dev.faceoff.alignment.LandmarkModel;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.detection.FaceDetector;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.image.DecodedImage;
import dev.faceoff.image.ImageDecoder;
import dev.faceoff.system.StageTimings;
import dev.faceoff.system.StageTimings.Stage;

/**
 * Bytes → aligned face: decode, detect, choose a face, 68 landmarks → 5 points, warp to the template.
 * The service, {@code evaluate} and {@code align} all use this one path.
 */
@Component
public final class FacePipeline {

    private final ImageDecoder decoder;
    private final FaceDetector detector;
    private final LandmarkModel landmarks;
    private final FaceAligner aligner;

    FacePipeline(ImageDecoder decoder, FaceDetector detector, LandmarkModel landmarks, FaceAligner aligner) {
        this.decoder = decoder;
        this.detector = detector;
        this.landmarks = landmarks;
        this.aligner = aligner;
    }

    /**
     * @param which names the image in error messages ("image1")
     * @throws dev.faceoff.system.FaceoffException with the stable code of what went wrong
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings) {
        return prepare(bytes, selection, which, timings, 0);
    }

    /**
     * @param pad a border added around the image before detection, as a fraction of its larger side
     *            (replicated edge pixels): helps on tight, pre-cropped faces. Boxes and points are
     *            reported in the original image's coordinates.
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings, double pad) {
        long t = timings.start();
        try (DecodedImage image = decoder.decode(bytes)) {
            timings.stop(Stage.DECODE, t);
            int border = (int) Math.round(pad * Math.max(image.width(), image.height()));
            Mat bgr = image.bgr();
            if (border > 0) {
                bgr = new Mat();
                Core.copyMakeBorder(image.bgr(), bgr, border, border, border, border, Core.BORDER_REPLICATE);
            }
            try {
                return prepare(bgr, border, image.width(), image.height(), selection, which, timings);
            } finally {
                if (border > 0) {
                    bgr.release();
                }
            }
        }
    }

    private PreparedFace prepare(Mat bgr, int border, int width, int height, FaceSelection selection, String which,
                                 StageTimings timings) {
        long t = timings.start();
        List<DetectedFace> faces = detector.detect(bgr);
        timings.stop(Stage.DETECT, t);
        DetectedFace face = selection.choose(faces, bgr.cols(), bgr.rows(), which);

        t = timings.start();
        double[] points5 = FivePoints.from68(landmarks.predict(bgr, face.box()));
        timings.stop(Stage.LANDMARKS, t);

        t = timings.start();
        var aligned = aligner.align(bgr, points5);
        timings.stop(Stage.ALIGN, t);
        if (border > 0) {
            Box b = face.box();
            face = new DetectedFace(new Box(b.x1() - border, b.y1() - border, b.x2() - border, b.y2() - border), face.score());
            for (int i = 0; i < points5.length; i++) {
                points5[i] -= border;
            }
        }
        return new PreparedFace(aligned, face, points5, width, height, faces.size());
    }
}
