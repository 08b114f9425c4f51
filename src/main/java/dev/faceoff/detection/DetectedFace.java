package dev.faceoff.detection;

/** A face the detector found: its box in image pixels and the detector's confidence in [0, 1]. */
public record DetectedFace(Box box, double score) {
}
