package dev.faceoff.detection;

import java.util.List;

import org.opencv.core.Mat;

/**
 * Finds the faces of a BGR image, in its pixels. Which detector serves is the configured detection
 * model's {@code decoding} (model.json): {@code yunet} (boxes and five points) or {@code rfb} (boxes;
 * the landmark model adds the points).
 */
public sealed interface FaceDetector permits RfbDetector, YuNetDetector {

    /** Faces above the score threshold after NMS, highest score first. */
    List<DetectedFace> detect(Mat bgr);

    /**
     * As {@link #detect(Mat)}, with the image looked at on a copy whose longer side is at most {@code maxSide}
     * instead of {@code faceoff.detection.max-side}, where the detector's input follows the image
     * ({@link #scalesWithMaxSide()}).
     */
    List<DetectedFace> detect(Mat bgr, int maxSide);

    /** True when a larger {@code maxSide} shows the detector more pixels (YuNet); false for a fixed input (RFB-320). */
    boolean scalesWithMaxSide();
}
