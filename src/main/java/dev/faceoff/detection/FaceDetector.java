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
}
